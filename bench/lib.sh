# Shared helpers for bench/record_bodies.sh and bench/e2e.sh (sourced, not run).
# shellcheck shell=bash disable=SC2034  # the variables are used by the sourcing scripts

BENCH_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
BUILD_DIR="${DICOMLAKE_BUILD_DIR:-$BENCH_ROOT/build}"
FLEETGEN="${DICOMLAKE_FLEETGEN:-$BUILD_DIR/tests/support/fleetgen/dicomlake-fleetgen}"
DICOMLAKE="${DICOMLAKE_BINARY:-$BUILD_DIR/src/dicomlake}"
LAB_SCRIPT="$BENCH_ROOT/scripts/lab"

bench_die() { echo "$(basename "$0"): error: $*" >&2; exit 1; }
bench_note() { echo "$(basename "$0"): $*" >&2; }

# The value of KEY in a lab.env file, read without sourcing it (exporting LAB_* variables
# would make a later `scripts/lab start` reuse this lab's ports).
bench_env_get() {
  local file="$1" key="$2" line
  line="$(grep -E "^${key}=" "$file" | tail -n 1)" || bench_die "$key missing from $file"
  printf '%s\n' "${line#*=}"
}

# Writes a curl netrc (mode 600) for the lab's PACS user to $1, so the password never
# appears on a command line. Args: OUT USER PASSWORD_FILE
bench_write_netrc() {
  local out="$1" user="$2" pwfile="$3"
  (umask 077; printf 'machine 127.0.0.1\nlogin %s\npassword %s\n' "$user" "$(cat "$pwfile")" >"$out")
}

# Prints the distinct StudyInstanceUIDs whose StudyDate lies in FROM..TO (YYYYMMDD), one a
# line, through QIDO-RS paged with limit/offset until an empty page.
# Args: PACS_URL NETRC FROM TO
bench_list_studies() {
  local url="$1" netrc="$2" from="$3" to="$4" offset=0 limit=100 page uids all=""
  while :; do
    page="$(curl -sS --fail --netrc-file "$netrc" -H 'Accept: application/dicom+json' \
      "$url/studies?StudyDate=$from-$to&limit=$limit&offset=$offset&includefield=0020000D")" \
      || bench_die "QIDO-RS listing failed at offset $offset"
    uids="$(printf '%s' "$page" | jq -r '.[]["0020000D"].Value[0]')" \
      || bench_die "cannot parse the QIDO-RS answer"
    [ -n "$uids" ] || break
    all+="$uids"$'\n'
    offset=$((offset + $(printf '%s\n' "$uids" | wc -l)))
  done
  printf '%s' "$all" | sort -u
}
