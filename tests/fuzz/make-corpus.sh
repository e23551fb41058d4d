#!/usr/bin/env bash
# Generates the fuzzers' seed corpus from the project's own data, once per build directory:
#   tests/fuzz/make-corpus.sh OUT_DIR FLEETGEN
# walk: DICOM JSON (dcm2json) of a small generated fleet, of pydicom's test files and of the
#   real vendor samples when ../shared/data/dicom-samples is present: each instance alone,
#   some as arrays, and a few whole series as arrays;
# qido: listing pages made of the study-level attributes of those instances;
# multipart: those bodies wrapped as multipart/related answers (first line: Content-Type);
# toml: the example configuration.
# Bulk data (pixels) is dropped and seeds stay under 64 KiB: libFuzzer mutates small inputs
# faster, and the walk skips bulk data unread anyway.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$1"
fleetgen="$2"
max_bytes=65536

if [ -f "$out/.complete" ]; then
  echo "make-corpus: $out is already there"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"/{walk,qido,multipart,toml}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Keep a seed only when it is small enough; name it by content so duplicates collapse.
keep() {  # keep TARGET FILE
  local size
  size=$(stat -c %s "$2")
  if [ "$size" -gt 0 ] && [ "$size" -le "$max_bytes" ]; then
    cp "$2" "$out/$1/$(sha1sum "$2" | cut -c1-16)"
  fi
}

# One instance: DICOM JSON without bulk data, compact.
to_json() {  # to_json DICOM_FILE OUT_JSON
  dcm2json -q -fc "$1" 2>/dev/null |
    jq -c 'walk(if type == "object" then del(.InlineBinary, .BulkDataURI) else . end)' >"$2" 2>/dev/null
}

"$fleetgen" --out "$tmp/fleet" --seed 8 --scanners 2 --studies 4 --instances-per-series 2 >/dev/null
files=()
while IFS= read -r f; do files+=("$f"); done < <(find "$tmp/fleet" -type f ! -name '*.json' | sort)
# pydicom's test files (python3-pydicom, a dependency) bring odd encodings and character sets.
samples="$root/../shared/data/dicom-samples"
[ -d "$samples" ] || echo "make-corpus: $samples is absent: seeds from the fleet and pydicom's files only"
for d in "$samples" /usr/lib/python3/dist-packages/pydicom/data/test_files \
         /usr/lib/python3/dist-packages/pydicom/data/charset_files; do
  [ -d "$d" ] || continue
  while IFS= read -r f; do files+=("$f"); done < <(find "$d" -type f \( -iname '*.dcm' -o ! -name '*.*' \) | sort)
done

n=0
for f in "${files[@]}"; do
  j="$tmp/i$n.json"
  to_json "$f" "$j" || continue
  [ -s "$j" ] || continue
  keep walk "$j"
  # Some as one-element arrays too (more would only slow the fuzzer's start, not add paths).
  if [ $((n % 8)) -eq 0 ]; then jq -c '[.]' "$j" >"$tmp/a$n.json" && keep walk "$tmp/a$n.json"; fi
  # A QIDO-RS page: the study-level attributes Orthanc and dcm4chee answer with.
  jq -c '[with_entries(select(.key | IN("0020000D","00080020","00080030","00080050","00080061",
          "00100010","00100020","00201206","00201208","00081030")))]' "$j" >"$tmp/q$n.json" &&
    keep qido "$tmp/q$n.json"
  n=$((n + 1))
done
# Whole series as one body (what WADO-RS answers).
jq -cs '.' "$tmp"/i*.json >"$tmp/all.json" 2>/dev/null || true
jq -c '[group_by(.["0020000E"].Value[0])[]] | .[:16][]' "$tmp/all.json" 2>/dev/null |
  while IFS= read -r series; do
    printf '%s' "$series" >"$tmp/s.json"
    keep walk "$tmp/s.json"
  done

# Multipart answers: a few walk seeds, one or two parts, CRLF or bare LF, quoted boundary.
i=0
for j in $(ls "$out/walk" | head -n 12); do
  body="$(cat "$out/walk/$j")"
  {
    if [ $((i % 2)) -eq 0 ]; then
      printf 'multipart/related; type="application/dicom+json"; boundary=DLB%s\n' "$i"
      printf -- '--DLB%s\r\nContent-Type: application/dicom+json\r\n\r\n%s\r\n' "$i" "$body"
      [ $((i % 4)) -eq 0 ] && printf -- '--DLB%s\r\nContent-Type: application/dicom+json\r\n\r\n%s\r\n' "$i" "$body"
      printf -- '--DLB%s--\r\n' "$i"
    else
      printf 'multipart/related; boundary="q %s"; type=application/dicom+json\n' "$i"
      printf -- '--q %s\nContent-Type: application/dicom+json\n\n%s\n--q %s--\n' "$i" "$body" "$i"
    fi
  } >"$tmp/m.txt"
  keep multipart "$tmp/m.txt"
  i=$((i + 1))
done

keep toml "$root/config/dicomlake.example.toml"

touch "$out/.complete"
for t in walk qido multipart toml; do
  echo "make-corpus: $t: $(ls "$out/$t" | wc -l) seeds"
done
