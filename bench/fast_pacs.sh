#!/usr/bin/env bash
# bench/fast_pacs.sh -- client-bound benchmark: a "fast PACS" (recorded DICOMweb answers served
# by nginx on loopback), so what shows is each client's own cost, not Orthanc's.
#
#  1. starts a throwaway lab (scripts/lab: PostgreSQL + Orthanc) and loads the corpus: a
#     generated fleet, pydicom's test files (python3-pydicom) and, when the directory exists,
#     the real samples in ../shared/data/dicom-samples;
#  2. records: dicomlake backfill and the Python baseline each run once through nginx as a
#     recording proxy in front of Orthanc (proxy_store), so every answer either client asks for
#     (QIDO-RS pages with their exact query strings, the probe, WADO-RS metadata, series-level
#     calls) is saved to a file; these runs are the reference loads;
#  3. stops Orthanc and serves the files with nginx at the same DICOMweb paths, then checks
#     that dicomlake loads exactly the same warehouse rows from it (a dump of every table) and
#     the Python baseline the same series and instances;
#  4. times, RUNS times in rotating order (median shown): the bare fetch (curl -Z,
#     --parallel-max 4, every URL dicomlake asked for, into /dev/null); dicomlake backfill
#     (pacs.concurrency 4) into an empty, migrated warehouse; the Python baseline (--workers 4)
#     into an empty database; with wall time, CPU (user + sys) and peak RSS (GNU time), and
#     PostgreSQL's CPU during the run. Every run's load is checked; a short one fails the script.
#
# --scale instead generates a synthetic corpus (bench/gen_scale_corpus.py: 1,000,000 instances in
# 20,000 studies, three of them of 10,000 instances), serves it with nginx and runs dicomlake
# alone once, sampling its RSS and throughput every second; it prints the first and last tenth.
#
# Usage: bench/fast_pacs.sh [--runs N] [--studies N] [--from DAY --to DAY] [--keep DIR] [--tiny] [--perf] [--serve]
#        bench/fast_pacs.sh --scale [--scale-instances N] [--scale-studies N] [--scale-large N]
#                               [--keep DIR]
#   --runs N       timed runs of each client (default 5)
#   --studies N    studies of the generated fleet (default 120, 3 instances per series)
#   --from/--to    the backfill window, YYYY-MM-DD (default 1900-01-01..2099-12-31: everything)
#   --keep DIR     copy the results, logs and URL lists to DIR
#   --perf         after the timed runs, one more dicomlake run under `perf record -g`; the
#                  profile by symbol and by library is written to perf.txt, perf-dso.txt
#                  (needs Debian's linux-perf)
#   --serve        after the check of step 3, leave nginx and PostgreSQL up and wait (Ctrl-C
#                  ends it): WORK/serve.sh runs one dicomlake backfill against them into a fresh
#                  warehouse, with `/usr/bin/time -v`, for profiling and quick measurements
#   --tiny         smoke run (scripts/test): 6 fleet studies, no pydicom or real samples,
#                  1 run, in well under a minute; it checks the loads, not the times
#   --scale-instances N, --scale-studies N, --scale-large N
#                  size of the --scale corpus: instances, studies, and how many of the studies
#                  hold 10,000 instances (1000000, 20000, 3)
# Environment: PY_BASELINE (path of python_baseline_etl.py), DICOMLAKE_BUILD_DIR (./build).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

RUNS=5
STUDIES=120
INSTANCES_PER_SERIES=3
WINDOW_FROM=1900-01-01
WINDOW_TO=2099-12-31
FLEET_FROM=2026-09-07
FLEET_TO=2026-10-04
KEEP=""
TINY=0
PERF=0
SERVE=0
SCALE=0
SCALE_INSTANCES=1000000
SCALE_STUDIES=20000
SCALE_LARGE=3
CONCURRENCY=4
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --studies) STUDIES="$2"; shift 2 ;;
    --from) WINDOW_FROM="$2"; shift 2 ;;
    --to) WINDOW_TO="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    --tiny) TINY=1; shift ;;
    --perf) PERF=1; shift ;;
    --serve) SERVE=1; shift ;;
    --scale) SCALE=1; shift ;;
    --scale-instances) SCALE_INSTANCES="$2"; shift 2 ;;
    --scale-studies) SCALE_STUDIES="$2"; shift 2 ;;
    --scale-large) SCALE_LARGE="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^# Environment/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) bench_die "unknown argument $1 (try --help)" ;;
  esac
done
if [ "$TINY" -eq 1 ]; then
  RUNS=1; STUDIES=6; INSTANCES_PER_SERIES=2; WINDOW_FROM="$FLEET_FROM"; WINDOW_TO="$FLEET_TO"
fi
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || bench_die "--runs must be a positive number"

PY_BASELINE="${PY_BASELINE:-$BENCH_ROOT/../shared/bench/python_baseline_etl.py}"
SAMPLES_DIR="$BENCH_ROOT/../shared/data/dicom-samples"
GNU_TIME=/usr/bin/time
HAVE_PYTHON=1

check_prerequisites() {
  [ -x "$DICOMLAKE" ] || bench_die "no dicomlake binary at $DICOMLAKE: run scripts/build first"
  [ -x "$GNU_TIME" ] || bench_die "GNU time not found at $GNU_TIME (scripts/install-deps)"
  command -v nginx >/dev/null || bench_die "nginx not found (scripts/install-deps: nginx-light)"
  command -v curl >/dev/null || bench_die "curl not found (scripts/install-deps)"
  if [ "$SCALE" -eq 1 ]; then HAVE_PYTHON=0; return 0; fi   # dicomlake alone, a generated corpus
  [ -x "$FLEETGEN" ] || bench_die "no fleet generator at $FLEETGEN: run scripts/build (tests on) first"
  if [ ! -f "$PY_BASELINE" ]; then
    # The baseline lives outside the repository: a smoke run goes on without it.
    [ "$TINY" -eq 1 ] || bench_die "no Python baseline at $PY_BASELINE (set PY_BASELINE)"
    bench_note "no Python baseline at $PY_BASELINE: the smoke run leaves it out"
    HAVE_PYTHON=0
  fi
  [ "$HAVE_PYTHON" -eq 0 ] || /usr/bin/python3 -c 'import requests, psycopg2, pydicom' 2>/dev/null \
    || bench_die "the Python baseline needs python3-requests python3-psycopg2 python3-pydicom (scripts/install-deps)"
}

# ---------------------------------------------------------------------------------------------
# Work directory and clean-up: nginx, then the lab (Orthanc + PostgreSQL), then the files.

WORK=""
NGINX_PID=""
cleanup() {
  local rc=$?
  bench_nginx_stop "$NGINX_PID"
  if [ -n "$WORK" ]; then
    "$LAB_SCRIPT" destroy "$WORK/lab" >/dev/null 2>&1 || true
    if [ -n "$KEEP" ] && [ -d "$WORK/out" ]; then
      if mkdir -p "$KEEP"; then cp -r "$WORK/out/." "$KEEP/" 2>/dev/null || true; fi
      bench_note "results kept in $KEEP"
    fi
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}

setup_work() {
  WORK="$(mktemp -d /tmp/dicomlake-bench-fast.XXXXXX)"
  chmod 711 "$WORK"   # nginx may run as nobody: it must reach its own sub-directories
  mkdir -p "$WORK/out/logs" "$WORK/files"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

now() { date +%s.%N; }

# ---------------------------------------------------------------------------------------------
# 1. The lab and the corpus

ENVF="" PACS_USER="" PACS_PWFILE="" ORTHANC_ORIGIN="" DB_BASE="" PSQL="" PG_PID="" ORTHANC_PID=""

# Uploads PATHs to the lab's Orthanc, then once more the files it rejected: an upload can fail
# with a transient 500 on a loaded machine. Prints how many files stay rejected.
# Args: LOG PATH...
seed_lab() {
  local log="$1"; shift
  local rejected=()
  "$LAB_SCRIPT" seed "$WORK/lab" --tolerant "$@" >/dev/null 2>"$log" \
    || { cat "$log" >&2; bench_die "seeding $* failed"; }
  mapfile -t rejected < <(cut -f2 "$WORK/lab/seed-rejected.tsv" 2>/dev/null)
  if [ "${#rejected[@]}" -gt 0 ]; then
    "$LAB_SCRIPT" seed "$WORK/lab" --tolerant "${rejected[@]}" >/dev/null 2>>"$log" \
      || { cat "$log" >&2; bench_die "seeding $* failed"; }
    mapfile -t rejected < <(cut -f2 "$WORK/lab/seed-rejected.tsv" 2>/dev/null)
  fi
  echo "${#rejected[@]}"
}

start_lab_with_corpus() {
  bench_note "generating a fleet of $STUDIES studies ($INSTANCES_PER_SERIES instances per series)"
  "$FLEETGEN" --out "$WORK/fleet" --seed 31 --scanners 10 --studies "$STUDIES" \
    --from "$FLEET_FROM" --to "$FLEET_TO" --instances-per-series "$INSTANCES_PER_SERIES" >/dev/null
  "$LAB_SCRIPT" start "$WORK/lab" >/dev/null
  [ "$(seed_lab "$WORK/out/logs/seed-fleet.log" "$WORK/fleet/dicom")" = 0 ] \
    || { cat "$WORK/out/logs/seed-fleet.log" >&2; bench_die "Orthanc rejects files of the generated fleet"; }
  if [ "$TINY" -eq 0 ]; then
    local extra=() d
    for d in /usr/lib/python3/dist-packages/pydicom/data/test_files \
             /usr/lib/python3/dist-packages/pydicom/data/charset_files; do
      [ -d "$d" ] && extra+=("$d")
    done
    [ "${#extra[@]}" -gt 0 ] || bench_note "pydicom's test files not found (python3-pydicom): left out"
    if [ -d "$SAMPLES_DIR" ]; then
      extra+=("$SAMPLES_DIR")
    else
      bench_note "$SAMPLES_DIR is absent: the corpus has no real samples"
    fi
    if [ "${#extra[@]}" -gt 0 ]; then
      # pydicom's directories hold deliberately broken files: Orthanc rejects some of them.
      local left; left="$(seed_lab "$WORK/out/logs/seed-extra.log" "${extra[@]}")"
      bench_note "seeded ${extra[*]} ($left file(s) rejected by Orthanc)"
    fi
  fi
  read_lab_env
}

# The lab's addresses and processes, and a pseudonymization key for dicomlake.
read_lab_env() {
  ENVF="$WORK/lab/lab.env"
  PACS_USER="$(bench_env_get "$ENVF" DICOMLAKE_PACS_USER)"
  PACS_PWFILE="$(bench_env_get "$ENVF" DICOMLAKE_PACS_PASSWORD_FILE)"
  ORTHANC_ORIGIN="$(bench_env_get "$ENVF" LAB_ORTHANC_URL)"
  local db_url; db_url="$(bench_env_get "$ENVF" DICOMLAKE_DB_URL)"
  DB_BASE="${db_url%/*}"   # postgresql://user@host:port
  PSQL="$(bench_env_get "$ENVF" LAB_PG_BINDIR)/psql"
  PG_PID="$(head -n 1 "$(grep -E '^PG_CLUSTER=' "$WORK/lab/lab.state" | cut -d= -f2)/data/postmaster.pid")"
  ORTHANC_PID="$(cat "$WORK/lab/orthanc/orthanc.pid")"
  "$DICOMLAKE" keygen >"$WORK/key"
  chmod 600 "$WORK/key"
}

# ---------------------------------------------------------------------------------------------
# The clients. Each takes: PACS_URL DB_NAME LOG_PREFIX, and writes LOG_PREFIX.{log,time}.

psql_admin() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 "$DB_BASE/postgres" -c "$1" </dev/null >/dev/null; }
fresh_db() { psql_admin "DROP DATABASE IF EXISTS $1"; psql_admin "CREATE DATABASE $1"; }
psql_value() { "$PSQL" -X -q -t -A "$DB_BASE/$1" -c "$2" </dev/null; }

dicomlake_env() {  # PACS_URL DB
  printf '%s\n' DICOMLAKE_PACS_URL="$1" DICOMLAKE_PACS_USER="$PACS_USER" \
    DICOMLAKE_PACS_PASSWORD_FILE="$PACS_PWFILE" DICOMLAKE_DB_URL="$DB_BASE/$2" \
    DICOMLAKE_KEY_FILE="$WORK/key" DICOMLAKE_PACS_CONCURRENCY="$CONCURRENCY"
}

# An empty, migrated warehouse (untimed).
prepare_dicomlake() {  # PACS_URL DB LOG_PREFIX
  local env; mapfile -t env < <(dicomlake_env "$1" "$2")
  fresh_db "$2"
  env "${env[@]}" "$DICOMLAKE" migrate >"$3.migrate.log" 2>&1 \
    || { cat "$3.migrate.log" >&2; bench_die "dicomlake migrate failed"; }
}

# Exit code 3 (partial: some studies failed) is what the reference run against Orthanc gives when
# the corpus holds studies Orthanc lists but cannot serve; the rows are compared either way.
run_dicomlake() {  # PACS_URL DB LOG_PREFIX [WRAPPER...]
  local env rc=0; mapfile -t env < <(dicomlake_env "$1" "$2")
  local prefix="$3"; shift 3
  env "${env[@]}" "$GNU_TIME" -f '%e %U %S %M' -o "$prefix.time" \
    "$@" "$DICOMLAKE" backfill --from "$WINDOW_FROM" --to "$WINDOW_TO" >"$prefix.log" 2>&1 || rc=$?
  if [ -z "$REF_DL_RC" ]; then REF_DL_RC="$rc"; fi   # the reference run
  [ "$rc" -eq 0 ] || { [ "$rc" -eq 3 ] && [ "$rc" -eq "$REF_DL_RC" ]; }
}

# "studies series instances" loaded by dicomlake into DB.
dicomlake_loaded() {
  psql_value "$1" "SELECT (SELECT count(*) FROM dicomlake.study) || ' ' || count(*) || ' ' || coalesce(sum(instances), 0) FROM dicomlake.series"
}

run_python() {  # PACS_URL DB LOG_PREFIX
  # The baseline takes its password as an argument: acceptable for a throwaway lab only.
  "$GNU_TIME" -f '%e %U %S %M' -o "$3.time" /usr/bin/python3 "$PY_BASELINE" --url "$1" \
    --user "$PACS_USER" --password "$(cat "$PACS_PWFILE")" --dsn "$DB_BASE/$2" \
    --workers "$CONCURRENCY" --from "${WINDOW_FROM//-/}" --to "${WINDOW_TO//-/}" >"$3.log" 2>&1
}

# "series instances" loaded by the baseline: its table, and the instances it says it read.
python_loaded() {  # DB LOG
  local said
  said="$(/usr/bin/python3 -c 'import json, sys
for line in open(sys.argv[1]):
    if line.startswith("{"): print(json.loads(line)["instances"])' "$2" | tail -n 1)"
  echo "$(psql_value "$1" 'SELECT count(*) FROM baseline_series') ${said:-?}"
}

run_curl() {  # URL_CONFIG OUT_CODES
  "$GNU_TIME" -f '%e %U %S %M' -o "$2.time" curl -sS -Z --parallel-max "$CONCURRENCY" \
    -H 'Accept: application/dicom+json' -w '%{http_code}\n' -K "$1" >"$2.codes" 2>"$2.log"
}

# ---------------------------------------------------------------------------------------------
# 2. Recording through nginx in front of Orthanc; the reference loads

REF_DL="" REF_PY="- -" REF_DL_RC=""

record_answers() {
  local proxy="$WORK/nginx-record"
  bench_nginx_start "$proxy" "$WORK/files" record "${ORTHANC_ORIGIN#http://}"
  local url="http://127.0.0.1:$NGINX_PORT/dicom-web" log="$WORK/out/logs"

  bench_note "recording: dicomlake backfill $WINDOW_FROM..$WINDOW_TO through the recording proxy"
  prepare_dicomlake "$url" ref_dl "$log/record-dicomlake"
  run_dicomlake "$url" ref_dl "$log/record-dicomlake" \
    || { tail -n 20 "$log/record-dicomlake.log" >&2; bench_die "dicomlake failed against Orthanc"; }
  cp "$proxy/access.log" "$WORK/out/requests-dicomlake.log"
  : >"$proxy/access.log"   # nginx appends (O_APPEND): the next client's requests start at 0

  : >"$WORK/out/requests-python.log"
  if [ "$HAVE_PYTHON" -eq 1 ]; then
    bench_note "recording: the Python baseline through the recording proxy"
    fresh_db ref_py
    run_python "$url" ref_py "$log/record-python" \
      || { tail -n 20 "$log/record-python.log" >&2; bench_die "the Python baseline failed against Orthanc"; }
    cp "$proxy/access.log" "$WORK/out/requests-python.log"
    REF_PY="$(python_loaded ref_py "$log/record-python.log")"
  fi
  bench_nginx_stop "$NGINX_PID"; NGINX_PID=""

  # Answers other than 200 are not stored: nginx answers them 404 (Orthanc's 404s stay 404s;
  # a 500, retried by dicomlake against Orthanc, fails the study at once).
  local bad
  bad="$(cat "$WORK/out/requests-dicomlake.log" "$WORK/out/requests-python.log" | grep -v '^200 ' | sort -u || true)"
  if [ -n "$bad" ]; then
    bench_note "Orthanc could not serve $(printf '%s\n' "$bad" | wc -l) answer(s) (replayed as 404; see --keep's requests-*.log):"
    printf '%s\n' "$bad" | awk '{ print "  " $1 " " substr($2, 1, 100) }' | sort | uniq -c >&2
  fi
  REF_DL="$(dicomlake_loaded ref_dl)"
  read -r _ _ n <<<"$REF_DL"
  [ "${n:-0}" -gt 0 ] || bench_die "dicomlake loaded nothing from Orthanc (window $WINDOW_FROM..$WINDOW_TO?)"
  bench_warehouse_dump "$PSQL" "$DB_BASE/ref_dl" "$WORK/out/warehouse-orthanc.txt"
  bench_note "reference loads from Orthanc: dicomlake $REF_DL (studies series instances; exit $REF_DL_RC), python $REF_PY (series instances)"
  bench_note "recorded $(find "$WORK/files" -type f | wc -l) answers, $(du -sh "$WORK/files" | cut -f1)"
}

# ---------------------------------------------------------------------------------------------
# 3. The fast PACS: the recorded files, Orthanc stopped

FAST_URL=""

serve_recording() {
  kill -TERM "$ORTHANC_PID" 2>/dev/null || true   # the lab's Orthanc (our own lab); PostgreSQL stays
  local i
  for ((i = 0; i < 100; i++)); do kill -0 "$ORTHANC_PID" 2>/dev/null || break; sleep 0.1; done
  bench_nginx_start "$WORK/nginx-serve" "$WORK/files" serve
  FAST_URL="http://127.0.0.1:$NGINX_PORT/dicom-web"
  # The bare fetch's list: every distinct URL dicomlake asked for and got, in its order.
  awk -v base="http://127.0.0.1:$NGINX_PORT" '$1 == 200 && !seen[$2]++ { printf "url = \"%s%s\"\noutput = \"/dev/null\"\n", base, $2 }' \
    "$WORK/out/requests-dicomlake.log" >"$WORK/curl.cfg"
  URL_COUNT="$(grep -c '^url' "$WORK/curl.cfg")"
  bench_note "serving the recording with nginx at $FAST_URL ($URL_COUNT distinct URLs of dicomlake)"
}

check_dicomlake() {  # DB WHAT
  local got; got="$(dicomlake_loaded "$1")"
  [ "$got" = "$REF_DL" ] || bench_die "$2: dicomlake loaded $got (studies series instances), Orthanc gave $REF_DL"
}
check_python() {  # DB LOG WHAT
  local got; got="$(python_loaded "$1" "$2")"
  [ "$got" = "$REF_PY" ] || bench_die "$3: the Python baseline loaded $got (series instances), Orthanc gave $REF_PY"
}
check_curl() {  # CODES WHAT
  local ok; ok="$(grep -c '^200$' "$1" || true)"
  [ "$ok" = "$URL_COUNT" ] || bench_die "$2: curl got $ok answers 200 of $URL_COUNT"
}

verify_fast_pacs() {
  local log="$WORK/out/logs"
  bench_note "verifying: dicomlake against nginx loads the same rows as against Orthanc"
  prepare_dicomlake "$FAST_URL" verify_dl "$log/verify-dicomlake"
  run_dicomlake "$FAST_URL" verify_dl "$log/verify-dicomlake" \
    || { tail -n 20 "$log/verify-dicomlake.log" >&2; bench_die "dicomlake failed against nginx"; }
  bench_warehouse_dump "$PSQL" "$DB_BASE/verify_dl" "$WORK/out/warehouse-nginx.txt"
  if ! cmp -s "$WORK/out/warehouse-orthanc.txt" "$WORK/out/warehouse-nginx.txt"; then
    diff "$WORK/out/warehouse-orthanc.txt" "$WORK/out/warehouse-nginx.txt" | head -n 20 >&2
    bench_die "the warehouse loaded from nginx differs from the one loaded from Orthanc"
  fi
  bench_note "same warehouse rows ($(wc -l <"$WORK/out/warehouse-nginx.txt") lines of dump)"
  psql_admin "DROP DATABASE verify_dl"
  if [ "$HAVE_PYTHON" -eq 1 ]; then
    fresh_db verify_py
    run_python "$FAST_URL" verify_py "$log/verify-python" \
      || { tail -n 20 "$log/verify-python.log" >&2; bench_die "the Python baseline failed against nginx"; }
    check_python verify_py "$log/verify-python.log" "verification"
    psql_admin "DROP DATABASE verify_py"
  fi
  run_curl "$WORK/curl.cfg" "$log/verify-curl" || bench_die "curl failed against nginx"
  check_curl "$log/verify-curl.codes" "verification"
}

# ---------------------------------------------------------------------------------------------
# 4. Timed runs

RESULTS=""
record_result() {  # RUN TOOL WALL TIMEFILE PG_TICKS
  local u s m
  # The last line: GNU time first writes "Command exited with non-zero status N" if so.
  read -r _ u s m < <(tail -n 1 "$4")   # elapsed (%e) is measured more finely by the caller
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$u" "$s" "$m" "$5" >>"$RESULTS"
}

timed() {  # RUN TOOL
  local run="$1" tool="$2" p="$WORK/out/logs/$2-$1" db="bench_$2" t0 t1 g0 g1 rc=0
  case "$tool" in
    dicomlake) prepare_dicomlake "$FAST_URL" "$db" "$p" ;;
    python) fresh_db "$db" ;;
  esac
  g0="$(bench_pg_ticks "$PG_PID")"
  t0="$(now)"
  case "$tool" in
    curl) run_curl "$WORK/curl.cfg" "$p" || rc=$? ;;
    dicomlake) run_dicomlake "$FAST_URL" "$db" "$p" || rc=$? ;;
    python) run_python "$FAST_URL" "$db" "$p" || rc=$? ;;
  esac
  t1="$(now)"
  g1="$(bench_pg_ticks "$PG_PID")"
  [ "$rc" -eq 0 ] || { tail -n 20 "$p.log" >&2; bench_die "run $run: $tool failed (exit $rc; log $p.log)"; }
  case "$tool" in
    curl) check_curl "$p.codes" "run $run" ;;
    dicomlake) check_dicomlake "$db" "run $run" ;;
    python) check_python "$db" "$p.log" "run $run" ;;
  esac
  record_result "$run" "$tool" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" "$p.time" "$((g1 - g0))"
  [ "$tool" = curl ] || psql_admin "DROP DATABASE $db"
}

time_clients() {
  RESULTS="$WORK/out/results.tsv"
  printf 'run\ttool\twall_s\tuser_s\tsys_s\tmaxrss_kb\tpg_ticks\n' >"$RESULTS"
  local r tools k
  for ((r = 1; r <= RUNS; r++)); do
    case $(((r - 1) % 3)) in   # rotate, so no client always runs first or after the same one
      0) tools=(curl dicomlake python) ;;
      1) tools=(dicomlake python curl) ;;
      2) tools=(python curl dicomlake) ;;
    esac
    for k in "${tools[@]}"; do
      [ "$k" != python ] || [ "$HAVE_PYTHON" -eq 1 ] || continue
      bench_note "run $r/$RUNS: $k"
      timed "$r" "$k"
    done
  done
}

# ---------------------------------------------------------------------------------------------
# Report

report() {
  /usr/bin/python3 - "$RESULTS" "$WORK/files" "$WORK/out/requests-dicomlake.log" "$REF_DL" "$REF_PY" \
    "$(getconf CLK_TCK)" "$RUNS" "$(nproc)" "$WINDOW_FROM..$WINDOW_TO" <<'EOF' | tee "$WORK/out/report.txt"
import collections, csv, os, re, statistics, sys
results, files, requests, ref_dl, ref_py, hz, runs, ncpu, window = sys.argv[1:]
hz = float(hz)
rows = list(csv.DictReader(open(results), delimiter="\t"))

# The corpus, as dicomlake fetched it: metadata bodies per study (whole or series by series).
per_study = collections.Counter()
for line in open(requests):
    status, uri = line.strip().split(" ", 1)
    if status != "200":
        continue
    path, _, args = uri.partition("?")
    m = re.match(r".*/studies/([0-9.]+)(/series/[0-9.]+)?/metadata$", path)
    if m:
        per_study[m.group(1)] += os.path.getsize(os.path.join(files + path, "@" + args))
studies, series, instances = ref_dl.split()
mb = sum(per_study.values()) / 1e6
largest = max(per_study.values()) / 1e6 if per_study else 0
print(f"\nfast PACS (nginx, recorded answers); window {window}; {runs} run(s), medians; "
      f"concurrency 4; {ncpu} CPUs")
print(f"corpus: {studies} studies, {series} series, {instances} instances (dicomlake's count), "
      f"{mb:.1f} MB of WADO-RS metadata JSON, largest study {largest:.1f} MB; "
      f"python baseline: {ref_py.split()[0]} series, {ref_py.split()[1]} instances\n")

def med(xs):
    return statistics.median(xs)
stats = {}
for tool in ("curl", "dicomlake", "python"):
    t = [r for r in rows if r["tool"] == tool]
    if not t:
        continue
    stats[tool] = dict(
        wall=med([float(r["wall_s"]) for r in t]),
        walls=[float(r["wall_s"]) for r in t],
        cpu=med([float(r["user_s"]) + float(r["sys_s"]) for r in t]),
        rss=med([int(r["maxrss_kb"]) / 1024 for r in t]),
        rss_max=max(int(r["maxrss_kb"]) / 1024 for r in t),
        pg=med([int(r["pg_ticks"]) / hz for r in t]))
names = {"curl": "bare fetch (curl -Z, 4 parallel)", "dicomlake": "dicomlake backfill (concurrency 4)",
         "python": "python baseline (--workers 4)"}
print(f"| client | wall s | CPU s (user+sys) | peak RSS MiB | PostgreSQL CPU s | each run (wall s) |")
print(f"| --- | ---: | ---: | ---: | ---: | --- |")
for tool, s in stats.items():
    print(f"| {names[tool]} | {s['wall']:.2f} | {s['cpu']:.2f} | {s['rss']:.0f} (max {s['rss_max']:.0f}) "
          f"| {s['pg']:.2f} | {' / '.join(f'{w:.2f}' for w in s['walls'])} |")
def ratio(a, b):  # GNU time reports 0.00 s for a tiny run of curl on a fast machine
    return f"{a / b:.2f}" if b > 0 else "- (0 s)"

if "dicomlake" in stats:
    d = stats["dicomlake"]
    print()
    for other in ("python", "curl"):
        if other in stats:
            o = stats[other]
            print(f"dicomlake / {other}: wall {ratio(d['wall'], o['wall'])}, CPU {ratio(d['cpu'], o['cpu'])}, "
                  f"peak RSS {ratio(d['rss'], o['rss'])}")
    print(f"goals (issue 11): dicomlake / python wall <= 0.10, dicomlake / curl wall <= 8, peak RSS <= 100 MB")
EOF
}

# ---------------------------------------------------------------------------------------------
# --scale: a generated corpus, dicomlake alone, RSS and throughput over time

scale_main() {
  local t_start; t_start=$(date +%s)
  check_prerequisites
  setup_work
  "$LAB_SCRIPT" start "$WORK/lab" >/dev/null
  read_lab_env
  kill -TERM "$ORTHANC_PID" 2>/dev/null || true   # not needed: the corpus is generated

  bench_note "generating $SCALE_INSTANCES instances in $SCALE_STUDIES studies into $WORK/files"
  /usr/bin/python3 "$BENCH_ROOT/bench/gen_scale_corpus.py" --out "$WORK/files" \
    --studies "$SCALE_STUDIES" --instances "$SCALE_INSTANCES" --large "$SCALE_LARGE" >"$WORK/out/corpus.json" \
    || bench_die "generating the corpus failed"
  local expected
  read -r WINDOW_FROM WINDOW_TO expected < <(/usr/bin/python3 -c 'import json, sys
c = json.load(open(sys.argv[1])); print(c["from"], c["to"], c["instances"])' "$WORK/out/corpus.json")
  bench_note "corpus: $(cat "$WORK/out/corpus.json"), $(du -sh "$WORK/files" | cut -f1) on disk"

  bench_nginx_start "$WORK/nginx-serve" "$WORK/files" serve
  FAST_URL="http://127.0.0.1:$NGINX_PORT/dicom-web"
  local p="$WORK/out/logs/scale-dicomlake" g0 g1 t0 t1 rc=0 pid sampler
  prepare_dicomlake "$FAST_URL" bench_scale "$p"
  REF_DL_RC=0   # every study of the generated corpus must load
  bench_note "dicomlake backfill $WINDOW_FROM..$WINDOW_TO against nginx (sampling every second)"
  g0="$(bench_pg_ticks "$PG_PID")"
  t0="$(now)"
  run_dicomlake "$FAST_URL" bench_scale "$p" &
  pid=$!
  scale_sample "$pid" "$WORK/nginx-serve/access.log" "$WORK/files/index.tsv" >"$WORK/out/samples.tsv" &
  sampler=$!
  wait "$pid" || rc=$?
  t1="$(now)"
  g1="$(bench_pg_ticks "$PG_PID")"
  wait "$sampler" || true
  [ "$rc" -eq 0 ] || { tail -n 20 "$p.log" >&2; bench_die "dicomlake failed (exit $rc; log $p.log)"; }
  if grep -qv '^200 ' "$WORK/nginx-serve/access.log"; then
    grep -v '^200 ' "$WORK/nginx-serve/access.log" | head >&2
    bench_die "dicomlake asked for answers the generated corpus does not have"
  fi
  local loaded; loaded="$(dicomlake_loaded bench_scale)"
  [ "${loaded##* }" = "$expected" ] \
    || bench_die "dicomlake loaded $loaded (studies series instances), the corpus has $expected instances"
  scale_report "$WORK/out/samples.tsv" "$p.time" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" \
    "$loaded" "$(awk -v t=$((g1 - g0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')" \
    | tee "$WORK/out/report.txt"
  bench_note "total $(( $(date +%s) - t_start )) s"
}

# Prints "seconds rss_mib instances_fetched load" every second while PID runs (a subshell
# running GNU time running dicomlake): RSS of that dicomlake from /proc, instances from nginx's
# access log and the corpus index, and the 1-minute load average (on a shared machine, a slower
# stretch may be the neighbours').
scale_sample() {  # PID ACCESS_LOG INDEX
  /usr/bin/python3 - "$@" <<'PY'
import os, sys, time
pid, log, index = int(sys.argv[1]), sys.argv[2], sys.argv[3]
count = dict(line.rstrip("\n").split("\t") for line in open(index))

def dicomlake_rss_kib():
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if status.get("Name", "").strip() == "dicomlake" and "VmRSS" in status:
            # only the one started here: its parent is GNU time, whose parent is PID
            try:
                ppid = int(status["PPid"])
                with open(f"/proc/{ppid}/status") as f:
                    if any(line.startswith("PPid:") and int(line.split()[1]) == pid for line in f):
                        return int(status["VmRSS"].split()[0])
            except (OSError, ValueError):
                pass
    return 0

t0, done, log_file = time.time(), 0, None
print("seconds\trss_mib\tinstances\tload")
while True:
    rss = dicomlake_rss_kib()
    if log_file is None and os.path.exists(log):
        log_file = open(log)
    if log_file is not None:
        for line in log_file.readlines():
            done += int(count.get(line.strip().split(" ", 1)[-1], 0))
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"{time.time() - t0:.1f}\t{rss / 1024:.1f}\t{done}\t{load}", flush=True)
    try:
        os.kill(pid, 0)
    except OSError:
        break
    time.sleep(1)
PY
}

scale_report() {  # SAMPLES TIMEFILE WALL LOADED PG_CPU_S
  local u s m
  read -r _ u s m < <(tail -n 1 "$2")
  /usr/bin/python3 - "$1" "$3" "$4" "$5" "$u" "$s" "$m" <<'PY'
import csv, statistics, sys
samples, wall, loaded, pg, user, sys_, maxrss = sys.argv[1:]
rows = [(float(r["seconds"]), float(r["rss_mib"]), int(r["instances"]), float(r["load"]))
        for r in csv.DictReader(open(samples), delimiter="\t")]
rows = [r for r in rows if r[1] > 0]
studies, series, instances = loaded.split()
wall = float(wall)
print(f"\n--scale: {studies} studies, {series} series, {instances} instances; dicomlake backfill, concurrency 4")
print(f"wall {wall:.1f} s, {int(instances) / wall:.0f} instances/s; CPU {float(user) + float(sys_):.1f} s; "
      f"peak RSS {int(maxrss) / 1024:.0f} MiB; PostgreSQL CPU {pg} s")
if len(rows) >= 10:
    n = max(2, len(rows) // 10)
    def tenth(part):
        rate = (part[-1][2] - part[0][2]) / max(1e-9, part[-1][0] - part[0][0])
        return (statistics.median(r[1] for r in part), max(r[1] for r in part), rate,
                statistics.median(r[3] for r in part))
    (m1, x1, t1, l1), (m2, x2, t2, l2) = tenth(rows[:n]), tenth(rows[-n:])
    print(f"first tenth: RSS median {m1:.0f} MiB (max {x1:.0f}), {t1:.0f} instances/s, load average {l1:.1f}")
    print(f"last tenth:  RSS median {m2:.0f} MiB (max {x2:.0f}), {t2:.0f} instances/s, load average {l2:.1f}")
    print(f"last / first: RSS {m2 / m1:.2f}, throughput {t2 / max(t1, 1e-9):.2f} "
          f"(goal: RSS within 10 %, throughput flat)")
print("samples (s, RSS MiB, instances fetched, load average), about 20:")
for r in rows[::max(1, len(rows) // 20)]:
    print(f"  {r[0]:7.1f} {r[1]:7.1f} {r[2]:9d} {r[3]:5.1f}")
PY
}

# One more dicomlake run under perf (call graphs), after the timed runs: where its CPU goes.
profile_dicomlake() {
  command -v perf >/dev/null || bench_die "--perf needs perf (Debian package linux-perf)"
  local p="$WORK/out/logs/perf-dicomlake"
  prepare_dicomlake "$FAST_URL" bench_perf "$p"
  run_dicomlake "$FAST_URL" bench_perf "$p" perf record -F 999 --call-graph dwarf,32768 -o "$WORK/out/perf.data" -- \
    || bench_die "the profiled dicomlake run failed (log $p.log)"
  perf report -i "$WORK/out/perf.data" --stdio --no-children -g none --percent-limit 0.3 2>/dev/null \
    | grep -v '^$' >"$WORK/out/perf.txt" || true
  perf report -i "$WORK/out/perf.data" --stdio --no-children -g none --sort dso 2>/dev/null \
    | grep -v '^$' >"$WORK/out/perf-dso.txt" || true
  perf report -i "$WORK/out/perf.data" --stdio --no-children --percent-limit 2 -G 2>/dev/null \
    | grep -v '^$' >"$WORK/out/perf-callers.txt" || true
  bench_note "profile: $WORK/out/perf.txt (by symbol), perf-dso.txt (by library), perf-callers.txt"
}

# --serve: one script that loads the served recording into a fresh warehouse, then wait.
serve_forever() {
  local env; mapfile -t env < <(dicomlake_env "$FAST_URL" bench_serve)
  {
    echo '#!/bin/bash'
    echo '# One dicomlake backfill against the fast PACS into a fresh warehouse; extra arguments'
    echo '# wrap the binary (e.g. serve.sh perf record -g --); DICOMLAKE=path runs another build.'
    echo 'set -euo pipefail'
    printf 'export %q\n' "${env[@]}"
    printf '%q -X -q "%s/postgres" -c "DROP DATABASE IF EXISTS bench_serve" -c "CREATE DATABASE bench_serve"\n' \
      "$PSQL" "$DB_BASE"
    printf 'bin="${DICOMLAKE:-%q}"\n' "$DICOMLAKE"
    echo '"$bin" migrate >/dev/null'
    printf '/usr/bin/time -v "$@" "$bin" backfill --from %s --to %s\n' "$WINDOW_FROM" "$WINDOW_TO"
  } >"$WORK/serve.sh"
  chmod +x "$WORK/serve.sh"
  bench_note "serving at $FAST_URL; run $WORK/serve.sh for one load (Ctrl-C or SIGTERM ends the lab)"
  while :; do sleep 3600 & wait $! || break; done  # wait: a signal ends it at once, and the clean-up runs
}

main() {
  if [ "$SCALE" -eq 1 ]; then scale_main; return; fi
  check_prerequisites
  setup_work
  local t_start; t_start=$(date +%s)
  start_lab_with_corpus
  record_answers
  serve_recording
  verify_fast_pacs
  [ "$SERVE" -eq 0 ] || serve_forever
  time_clients
  report
  [ "$PERF" -eq 0 ] || profile_dicomlake
  bench_note "total $(( $(date +%s) - t_start )) s"
}

main
