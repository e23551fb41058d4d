#!/usr/bin/env bash
# bench/record_bodies.sh OUTDIR -- records real WADO-RS metadata bodies for the micro-benchmark.
#
# Starts a throwaway lab (scripts/lab: PostgreSQL + Orthanc with DICOMweb) in a temporary
# directory, generates two fleets with dicomlake-fleetgen, seeds them, and saves each study's
# GET /dicom-web/studies/{uid}/metadata answer (exactly the bytes dicomlake walks) with curl:
#
#   OUTDIR/small/NNNN.json   SMALL_STUDIES studies, 3 instances per series (default 60)
#   OUTDIR/large/NNNN.json   LARGE_STUDIES studies, 40 instances per series (default 12)
#
# The lab is destroyed on exit, whatever happens. Then:
#   DICOMLAKE_BENCH_BODIES=OUTDIR build/bench/dicomlake_bench_walk
#
# Environment: SMALL_STUDIES, LARGE_STUDIES, LARGE_INSTANCES (per series, default 40),
# DICOMLAKE_BUILD_DIR (default ./build). Needs a build with the tests on (the fleet generator).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -ne 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2
fi
OUT="$1"
SMALL_STUDIES="${SMALL_STUDIES:-60}"
LARGE_STUDIES="${LARGE_STUDIES:-12}"
LARGE_INSTANCES="${LARGE_INSTANCES:-40}"

[ -x "$FLEETGEN" ] || bench_die "no fleet generator at $FLEETGEN: run scripts/build (tests on) first"
command -v curl >/dev/null || bench_die "curl not found (scripts/install-deps)"
command -v jq >/dev/null || bench_die "jq not found (scripts/install-deps)"

WORK="$(mktemp -d /tmp/dicomlake-bench-record.XXXXXX)"
cleanup() {
  "$LAB_SCRIPT" destroy "$WORK/lab" >/dev/null 2>&1 || true
  rm -rf -- "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two fleets on disjoint day ranges, so QIDO by StudyDate tells them apart.
bench_note "generating fleets in $WORK"
"$FLEETGEN" --out "$WORK/fleet-small" --seed 11 --scanners 8 --studies "$SMALL_STUDIES" \
  --from 2026-11-02 --to 2026-11-06 --instances-per-series 3 >/dev/null
"$FLEETGEN" --out "$WORK/fleet-large" --seed 12 --scanners 8 --studies "$LARGE_STUDIES" \
  --from 2026-11-16 --to 2026-11-20 --instances-per-series "$LARGE_INSTANCES" >/dev/null

bench_note "starting the lab"
"$LAB_SCRIPT" start "$WORK/lab" >/dev/null
"$LAB_SCRIPT" seed "$WORK/lab" "$WORK/fleet-small/dicom" "$WORK/fleet-large/dicom" >/dev/null
ENVF="$WORK/lab/lab.env"
URL="$(bench_env_get "$ENVF" DICOMLAKE_PACS_URL)"
bench_write_netrc "$WORK/netrc" "$(bench_env_get "$ENVF" DICOMLAKE_PACS_USER)" \
  "$(bench_env_get "$ENVF" DICOMLAKE_PACS_PASSWORD_FILE)"

record() {  # corpus from to
  local corpus="$1" from="$2" to="$3" i=0 uid
  mkdir -p "$OUT/$corpus"
  rm -f -- "$OUT/$corpus"/*.json
  while read -r uid; do
    [ -n "$uid" ] || continue
    i=$((i + 1))
    curl -sS --fail --netrc-file "$WORK/netrc" -H 'Accept: application/dicom+json' \
      -o "$OUT/$corpus/$(printf '%04d' "$i").json" "$URL/studies/$uid/metadata" \
      || bench_die "fetching the metadata of study $i of $corpus failed"
  done < <(bench_list_studies "$URL" "$WORK/netrc" "$from" "$to")
  bench_note "$corpus: $i studies, $(du -sh "$OUT/$corpus" | cut -f1) in $OUT/$corpus"
}
record small 20261102 20261106
record large 20261116 20261120
"$LAB_SCRIPT" stop "$WORK/lab" >/dev/null
bench_note "done; now: DICOMLAKE_BENCH_BODIES=$OUT $BUILD_DIR/bench/dicomlake_bench_walk"
