#!/usr/bin/env bash
# bench/e2e.sh -- end-to-end comparison on one lab and one generated fleet, in one run.
#
# Starts a throwaway lab (scripts/lab: PostgreSQL + Orthanc with DICOMweb), seeds a generated
# fleet, warms Orthanc with one untimed pass, then runs ROUNDS rounds of, in rotating order:
#
#   curl       the floor set by the PACS: QIDO-RS list (paged), then every study's
#              /metadata fetched by 4 parallel curl processes (keep-alive) into /dev/null
#   dicomlake  `dicomlake backfill` (pacs.concurrency 4) into a fresh database (migrated first,
#              untimed)
#   python     ../shared/bench/python_baseline_etl.py --workers 4 into another fresh database
#
# and prints a table: wall seconds (median and each round), instances/s, dicomlake / curl and
# python / dicomlake ratios, CPU seconds and peak RSS (GNU time -v) of dicomlake and python.
# The lab is destroyed on exit, whatever happens.
#
# Usage: bench/e2e.sh [--studies N] [--rounds R] [--heavy] [--heavy-studies N] [--keep-results DIR]
#   --studies N        studies of the standard fleet (3 instances per series; default 300)
#   --rounds R         rounds (default 3)
#   --heavy            also a fleet with 40 instances per series (bigger bodies), measured
#                      as a second table
#   --heavy-studies N  studies of the heavy fleet (default 40)
#   --keep-results DIR copy the raw results (results.tsv, logs) to DIR
# Environment: PY_BASELINE (path of python_baseline_etl.py), DICOMLAKE_BUILD_DIR (./build).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

STUDIES=300
ROUNDS=3
HEAVY=0
HEAVY_STUDIES=40
KEEP=""
CONCURRENCY=4
while [ $# -gt 0 ]; do
  case "$1" in
    --studies) STUDIES="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --heavy) HEAVY=1; shift ;;
    --heavy-studies) HEAVY_STUDIES="$2"; shift 2 ;;
    --keep-results) KEEP="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) bench_die "unknown argument $1 (try --help)" ;;
  esac
done

PY_BASELINE="${PY_BASELINE:-$BENCH_ROOT/../shared/bench/python_baseline_etl.py}"
GNU_TIME=/usr/bin/time
[ -x "$DICOMLAKE" ] || bench_die "no dicomlake binary at $DICOMLAKE: run scripts/build first"
[ -x "$FLEETGEN" ] || bench_die "no fleet generator at $FLEETGEN: run scripts/build (tests on) first"
[ -f "$PY_BASELINE" ] || bench_die "no Python baseline at $PY_BASELINE (set PY_BASELINE)"
command -v jq >/dev/null || bench_die "jq not found (scripts/install-deps)"
[ -x "$GNU_TIME" ] || bench_die "GNU time not found at $GNU_TIME: apt-get install time (scripts/install-deps)"
/usr/bin/python3 -c 'import requests, psycopg2, pydicom' 2>/dev/null \
  || bench_die "the Python baseline needs python3-requests python3-psycopg2 python3-pydicom (scripts/install-deps)"

WORK="$(mktemp -d /tmp/dicomlake-bench-e2e.XXXXXX)"
cleanup() {
  "$LAB_SCRIPT" destroy "$WORK/lab" >/dev/null 2>&1 || true
  if [ -n "$KEEP" ] && [ -f "$WORK/results.tsv" ]; then
    mkdir -p "$KEEP" && { cp -r "$WORK/results.tsv" "$WORK/logs" "$KEEP/" 2>/dev/null || true; }
  fi
  rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WORK/logs"
T_START=$(date +%s)
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# Fleets (disjoint day ranges, so one lab holds both and QIDO by StudyDate tells them apart)

STD_FROM=2026-10-05; STD_TO=2026-11-01
HVY_FROM=2026-11-09; HVY_TO=2026-11-15
bench_note "generating the fleet(s) in $WORK"
"$FLEETGEN" --out "$WORK/fleet-std" --seed 21 --scanners 12 --studies "$STUDIES" \
  --from "$STD_FROM" --to "$STD_TO" --instances-per-series 3 >/dev/null
seed_paths=("$WORK/fleet-std/dicom")
if [ "$HEAVY" -eq 1 ]; then
  "$FLEETGEN" --out "$WORK/fleet-heavy" --seed 22 --scanners 8 --studies "$HEAVY_STUDIES" \
    --from "$HVY_FROM" --to "$HVY_TO" --instances-per-series 40 >/dev/null
  seed_paths+=("$WORK/fleet-heavy/dicom")
fi

bench_note "starting the lab and seeding $(find "${seed_paths[@]}" -type f | wc -l) files"
"$LAB_SCRIPT" start "$WORK/lab" >/dev/null
"$LAB_SCRIPT" seed "$WORK/lab" "${seed_paths[@]}" >/dev/null 2>"$WORK/logs/seed.log" \
  || { cat "$WORK/logs/seed.log" >&2; bench_die "seeding failed"; }

ENVF="$WORK/lab/lab.env"
PACS_URL="$(bench_env_get "$ENVF" DICOMLAKE_PACS_URL)"
PACS_USER="$(bench_env_get "$ENVF" DICOMLAKE_PACS_USER)"
PACS_PWFILE="$(bench_env_get "$ENVF" DICOMLAKE_PACS_PASSWORD_FILE)"
DB_URL="$(bench_env_get "$ENVF" DICOMLAKE_DB_URL)"
PSQL="$(bench_env_get "$ENVF" LAB_PG_BINDIR)/psql"
DB_BASE="${DB_URL%/*}"   # postgresql://user@host:port
bench_write_netrc "$WORK/netrc" "$PACS_USER" "$PACS_PWFILE"
"$DICOMLAKE" keygen >"$WORK/key"
chmod 600 "$WORK/key"

# CPU seconds used by the PACS (Orthanc, all threads) and by PostgreSQL (the postmaster plus
# its exited backends, whose times the kernel adds to the postmaster's cutime/cstime), read
# from /proc around each run: on 2 cores the servers compete with the client for the CPU.
CLK_TCK="$(getconf CLK_TCK)"
ORTHANC_PID="$(cat "$WORK/lab/orthanc/orthanc.pid" 2>/dev/null || true)"
PG_PID="$(head -n 1 "$(grep -E '^PG_CLUSTER=' "$WORK/lab/lab.state" | cut -d= -f2)/data/postmaster.pid" 2>/dev/null || true)"
ticks() { [ -n "$1" ] && [ -r "/proc/$1/stat" ] && sed -E 's/^.*\) //' "/proc/$1/stat" | awk '{print $12+$13+$14+$15}' || echo ""; }
server_cpu() { echo "$(ticks "$ORTHANC_PID") $(ticks "$PG_PID")"; }
cpu_delta() {  # "before" "after" -> "pacs_s<TAB>pg_s"
  awk -v a="$1" -v b="$2" -v hz="$CLK_TCK" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%.2f\t%.2f", (y[1] - x[1]) / hz, (y[2] - x[2]) / hz }'
}

psql_admin() { PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 "$DB_BASE/postgres" -c "$1" </dev/null >/dev/null; }
fresh_db() { psql_admin "DROP DATABASE IF EXISTS $1"; psql_admin "CREATE DATABASE $1"; }

# Value of a field of GNU time -v output.
time_field() { grep -F "$2" "$1" | tail -n 1 | awk -F': ' '{print $2}'; }

RESULTS="$WORK/results.tsv"
printf 'suite\tround\ttool\twall_s\tinstances\tuser_s\tsys_s\tmaxrss_kb\texit\tpacs_cpu_s\tpg_cpu_s\n' >"$RESULTS"
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# ---------------------------------------------------------------------------------------------
# The three contenders. Each takes: SUITE ROUND FROM TO EXPECTED_INSTANCES

run_curl() {
  local suite="$1" round="$2" from="$3" to="$4" expected="$5" t0 t1 c0 c1 i rc=0
  local dir="$WORK/curl-$suite-$round"
  mkdir -p "$dir"
  c0="$(server_cpu)"
  t0=$(now)
  bench_list_studies "$PACS_URL" "$WORK/netrc" "${from//-/}" "${to//-/}" \
    | awk -v url="$PACS_URL" -v dir="$dir" -v n="$CONCURRENCY" '
        { f = dir "/chunk" (NR % n); printf "url = \"%s/studies/%s/metadata\"\noutput = \"/dev/null\"\n", url, $0 > f }'
  for i in "$dir"/chunk*; do
    curl -sS --fail --netrc-file "$WORK/netrc" -H 'Accept: application/dicom+json' -K "$i" &
  done
  for i in "$dir"/chunk*; do wait -n || rc=$?; done
  t1=$(now)
  c1="$(server_cpu)"
  [ "$rc" -eq 0 ] || bench_note "warning: a curl process failed (exit $rc)"
  [ "$round" = warmup ] || record "$suite" "$round" curl "$(elapsed "$t0" "$t1")" "$expected" "" "" "" "$rc" "$(cpu_delta "$c0" "$c1")"
  rm -rf -- "$dir"
}

run_dicomlake() {
  local suite="$1" round="$2" from="$3" to="$4" expected="$5" db="bench_dl_${1}_${2}" t0 t1 c0 c1 rc=0 loaded
  fresh_db "$db"
  local env=(DICOMLAKE_PACS_URL="$PACS_URL" DICOMLAKE_PACS_USER="$PACS_USER"
             DICOMLAKE_PACS_PASSWORD_FILE="$PACS_PWFILE" DICOMLAKE_DB_URL="$DB_BASE/$db"
             DICOMLAKE_KEY_FILE="$WORK/key" DICOMLAKE_PACS_CONCURRENCY="$CONCURRENCY")
  env "${env[@]}" "$DICOMLAKE" migrate >"$WORK/logs/migrate-$suite-$round.log" 2>&1 \
    || { cat "$WORK/logs/migrate-$suite-$round.log" >&2; bench_die "dicomlake migrate failed"; }
  local tv="$WORK/logs/dicomlake-$suite-$round.time"
  c0="$(server_cpu)"
  t0=$(now)
  env "${env[@]}" "$GNU_TIME" -v -o "$tv" "$DICOMLAKE" backfill --from "$from" --to "$to" \
    >"$WORK/logs/dicomlake-$suite-$round.log" 2>&1 || rc=$?
  t1=$(now)
  c1="$(server_cpu)"
  loaded="$("$PSQL" -X -q -t -A "$DB_BASE/$db" -c 'SELECT coalesce(sum(instances), 0) FROM dicomlake.series' </dev/null)"
  [ "$loaded" = "$expected" ] || bench_note "warning: dicomlake loaded $loaded instances, expected $expected (exit $rc; log $WORK/logs/dicomlake-$suite-$round.log)"
  record "$suite" "$round" dicomlake "$(elapsed "$t0" "$t1")" "$loaded" \
    "$(time_field "$tv" 'User time')" "$(time_field "$tv" 'System time')" \
    "$(time_field "$tv" 'Maximum resident set size')" "$rc" "$(cpu_delta "$c0" "$c1")"
  psql_admin "DROP DATABASE $db"
}

run_python() {
  local suite="$1" round="$2" from="$3" to="$4" expected="$5" db="bench_py_${1}_${2}" t0 t1 c0 c1 rc=0 loaded
  fresh_db "$db"
  local tv="$WORK/logs/python-$suite-$round.time" out="$WORK/logs/python-$suite-$round.log"
  # The baseline takes its password as an argument: acceptable for a throwaway lab only.
  c0="$(server_cpu)"
  t0=$(now)
  "$GNU_TIME" -v -o "$tv" /usr/bin/python3 "$PY_BASELINE" --url "$PACS_URL" --user "$PACS_USER" \
    --password "$(cat "$PACS_PWFILE")" --dsn "$DB_BASE/$db" --workers "$CONCURRENCY" \
    --from "${from//-/}" --to "${to//-/}" >"$out" 2>&1 || rc=$?
  t1=$(now)
  c1="$(server_cpu)"
  loaded="$(/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.startswith("{"): print(json.loads(l)["instances"])' "$out" | tail -n 1)"
  [ "$loaded" = "$expected" ] || bench_note "warning: python loaded ${loaded:-?} instances, expected $expected (exit $rc; log $out)"
  record "$suite" "$round" python "$(elapsed "$t0" "$t1")" "${loaded:-0}" \
    "$(time_field "$tv" 'User time')" "$(time_field "$tv" 'System time')" \
    "$(time_field "$tv" 'Maximum resident set size')" "$rc" "$(cpu_delta "$c0" "$c1")"
  psql_admin "DROP DATABASE $db"
}

run_suite() {  # SUITE FROM TO FLEETDIR
  local suite="$1" from="$2" to="$3" expected r k tools
  expected="$(find "$4/dicom" -type f | wc -l)"   # one file per instance
  bench_note "$suite: warming Orthanc (one untimed curl pass)"
  run_curl "$suite" warmup "$from" "$to" "$expected"
  for ((r = 1; r <= ROUNDS; r++)); do
    # Rotate the order every round so no tool always runs first (or right after another).
    case $(((r - 1) % 3)) in
      0) tools=(curl dicomlake python) ;;
      1) tools=(dicomlake python curl) ;;
      2) tools=(python curl dicomlake) ;;
    esac
    for k in "${tools[@]}"; do
      bench_note "$suite: round $r/$ROUNDS: $k"
      "run_$k" "$suite" "$r" "$from" "$to" "$expected"
    done
  done
}

run_suite standard "$STD_FROM" "$STD_TO" "$WORK/fleet-std"
[ "$HEAVY" -eq 0 ] || run_suite heavy "$HVY_FROM" "$HVY_TO" "$WORK/fleet-heavy"
"$LAB_SCRIPT" stop "$WORK/lab" >/dev/null

# ---------------------------------------------------------------------------------------------
# Report

/usr/bin/python3 - "$RESULTS" "$STUDIES" "$HEAVY_STUDIES" "$ROUNDS" "$(nproc)" <<'EOF'
import csv, statistics, sys
path, studies, heavy_studies, rounds, ncpu = sys.argv[1:]
rows = list(csv.DictReader(open(path), delimiter="\t"))
def num(x):
    try: return float(x)
    except (TypeError, ValueError): return None
def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None
def fmt(v, spec=".2f"):
    return "-" if v is None else format(v, spec)
for suite in dict.fromkeys(r["suite"] for r in rows):
    rs = [r for r in rows if r["suite"] == suite]
    inst = max(int(r["instances"] or 0) for r in rs if r["tool"] == "curl")
    desc = (f"{studies} studies x 3 instances/series" if suite == "standard"
            else f"{heavy_studies} studies x 40 instances/series")
    print(f"\n{suite}: {desc}, {inst} instances; {rounds} rounds (median shown); concurrency 4; {ncpu} CPUs")
    print(f"{'tool':<10} {'wall s':>7} {'each round':>20} {'inst/s':>7} {'vs curl':>8} "
          f"{'CPU s':>6} {'peak RSS':>9} {'PACS CPU s':>10} {'PG CPU s':>8} {'exit':>4}")
    wall, cpu = {}, {}
    for tool in ("curl", "dicomlake", "python"):
        t = [r for r in rs if r["tool"] == tool]
        if not t: continue
        walls = [num(r["wall_s"]) for r in t]
        wall[tool] = med(walls)
        cpu[tool] = med([num(r["user_s"]) + num(r["sys_s"]) for r in t if num(r["user_s"]) is not None])
        rss = [int(r["maxrss_kb"]) for r in t if r["maxrss_kb"]]
        n = med([int(r["instances"] or 0) for r in t])
        vs = wall[tool] / wall["curl"] if "curl" in wall else None
        print(f"{tool:<10} {wall[tool]:>7.2f} {' / '.join(f'{w:.2f}' for w in walls):>20} {n / wall[tool]:>7.0f} "
              f"{fmt(vs):>8} {fmt(cpu[tool]):>6} {(f'{max(rss) / 1024:.0f} MiB' if rss else '-'):>9} "
              f"{fmt(med([num(r.get('pacs_cpu_s')) for r in t])):>10} {fmt(med([num(r.get('pg_cpu_s')) for r in t])):>8} "
              f"{','.join(sorted(set(r['exit'] for r in t))):>4}")
    if "curl" in wall and "dicomlake" in wall:
        print(f"dicomlake / curl   wall: {wall['dicomlake'] / wall['curl']:.2f}")
    if "python" in wall and "dicomlake" in wall:
        line = f"python / dicomlake wall: {wall['python'] / wall['dicomlake']:.2f}"
        if cpu.get("python") and cpu.get("dicomlake"):
            line += f"   client CPU: {cpu['python'] / cpu['dicomlake']:.1f}"
        print(line)
EOF
bench_note "total $(( $(date +%s) - T_START )) s"
