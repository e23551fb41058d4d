#!/usr/bin/env bash
# Smoke test of scripts/lab: start, seed, DICOMweb + auth checks, psql,
# restart with persisted data, two labs at once, destroy.
# Usage: tests/integration/lab_smoke.sh   (exit 0 = pass)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB="$HERE/../../scripts/lab"
PYDICOM_DATA="${PYDICOM_DATA:-/usr/lib/python3/dist-packages/pydicom/data}"

fail() { echo "lab_smoke: FAIL: $*" >&2; exit 1; }
step() { echo "lab_smoke: $*"; }

A="$(mktemp -d)"
B="$(mktemp -d)"
cleanup() { "$LAB" destroy "$A" >/dev/null 2>&1 || true; "$LAB" destroy "$B" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "start two labs at once"
# Captured through $(...): must return (background services must not keep our stdout open).
outA="$(mktemp)"; outB="$(mktemp)"
"$LAB" start "$A" >"$outA" 2>&1 & pa=$!
"$LAB" start "$B" >"$outB" 2>&1 & pb=$!
wait $pa || { cat "$outA" >&2; fail "start A"; }
wait $pb || { cat "$outB" >&2; fail "start B"; }
rm -f "$outA" "$outB"
"$LAB" status "$A" >/dev/null || fail "status A"
"$LAB" status "$B" >/dev/null || fail "status B"

( # shellcheck disable=SC1091
  source "$A/lab.env"; a_pg=$LAB_PG_PORT; a_http=$LAB_HTTP_PORT
  # shellcheck disable=SC1091
  source "$B/lab.env"
  [ "$a_pg" != "$LAB_PG_PORT" ] && [ "$a_http" != "$LAB_HTTP_PORT" ] ) || fail "two labs share a port"

out="$("$LAB" start "$A")"
case "$out" in *"already running"*) ;; *) fail "second start is not a no-op: $out" ;; esac

# shellcheck disable=SC1091
source "$A/lab.env"
for v in DICOMLAKE_PACS_URL DICOMLAKE_PACS_USER DICOMLAKE_PACS_PASSWORD_FILE DICOMLAKE_DB_URL \
         LAB_ORTHANC_URL LAB_PG_PORT LAB_PG_BINDIR LAB_DIR; do
  [ -n "${!v:-}" ] || fail "lab.env lacks $v"
done
PW="$(cat "$DICOMLAKE_PACS_PASSWORD_FILE")"
AUTH=(-s -u "$DICOMLAKE_PACS_USER:$PW")

step "seed pydicom test files (tolerant)"
if [ -d "$PYDICOM_DATA/test_files" ]; then
  "$LAB" seed "$A" --tolerant "$PYDICOM_DATA/test_files" "$PYDICOM_DATA/charset_files" || fail "seed --tolerant"
  if "$LAB" seed "$A" "$PYDICOM_DATA/test_files" >/dev/null 2>&1; then
    fail "seed without --tolerant should fail on invalid files"
  fi
  MR_STUDY=1.3.6.1.4.1.5962.1.2.4.20040826185059.5457   # MR_small.dcm
  code="$(curl "${AUTH[@]}" -o /dev/null -w '%{http_code}' -H 'Accept: application/dicom+json' \
    "$DICOMLAKE_PACS_URL/studies?limit=5&offset=0")"
  [ "$code" = 200 ] || fail "QIDO studies gave $code"
  meta="$(curl "${AUTH[@]}" -H 'Accept: application/dicom+json' "$DICOMLAKE_PACS_URL/studies/$MR_STUDY/metadata")"
  case "$meta" in *'"00180083"'*) ;; *) fail "study metadata lacks 00180083 (not Full?)" ;; esac
else
  step "  (no pydicom data at $PYDICOM_DATA; skipped)"
fi

step "auth"
code="$(curl -s -o /dev/null -w '%{http_code}' -u "$DICOMLAKE_PACS_USER:wrong" "$DICOMLAKE_PACS_URL/studies")"
[ "$code" = 401 ] || fail "wrong password gave $code, expected 401"
code="$(curl -s -o /dev/null -w '%{http_code}' "$DICOMLAKE_PACS_URL/studies")"
[ "$code" = 401 ] || fail "no credentials gave $code, expected 401"

step "psql + persistence across stop/start"
"$LAB" psql "$A" -q -v ON_ERROR_STOP=1 -c 'CREATE TABLE smoke(x int); INSERT INTO smoke VALUES (42)' </dev/null \
  || fail "psql create"
before="$(curl "${AUTH[@]}" "$LAB_ORTHANC_URL/statistics" | tr -d ' \n')"
"$LAB" stop "$A" >/dev/null || fail "stop"
"$LAB" stop "$A" >/dev/null || fail "second stop"
if "$LAB" status "$A" >/dev/null; then fail "status says up after stop"; fi
"$LAB" start "$A" >/dev/null || fail "restart"
[ "$("$LAB" psql "$A" -tA -c 'SELECT x FROM smoke' </dev/null)" = 42 ] || fail "table lost across restart"
# shellcheck disable=SC1091
source "$A/lab.env"
after="$(curl "${AUTH[@]}" "$LAB_ORTHANC_URL/statistics" | tr -d ' \n')"
[ "$before" = "$after" ] || fail "Orthanc content changed across restart: $before vs $after"

step "destroy"
"$LAB" destroy "$B" >/dev/null || fail "destroy B"
[ ! -e "$B/lab.env" ] || fail "destroy left $B/lab.env"
"$LAB" destroy "$A" >/dev/null || fail "destroy A"
step "PASS"
