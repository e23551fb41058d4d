#!/usr/bin/env bash
# bench/compare_march.sh BODIES_DIR [ROUNDS [BENCHMARK_FLAGS...]] -- does compiling for AVX2 pay?
#
# Runs, alternately, ROUNDS times (default 3), each with 3 repetitions per benchmark:
#   default   build/bench/dicomlake_bench_walk          (as dicomlake ships: no -march)
#   haswell   build/bench/dicomlake_bench_walk_haswell  (the transform compiled -march=haswell)
#   scalar    the default binary with SIMDJSON_FORCE_IMPLEMENTATION=fallback: what dicomlake
#             would cost if simdjson really ran its scalar "fallback" kernel everywhere
# (extra flags, e.g. --benchmark_filter=transform, go to every run), then prints, per
# benchmark, the median CPU time of each and the ratios. Needs an AVX2 CPU. Takes ~4 minutes.
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2
fi
BODIES="$1"
ROUNDS="${2:-3}"
DEFAULT_BIN="$BUILD_DIR/bench/dicomlake_bench_walk"
HASWELL_BIN="$BUILD_DIR/bench/dicomlake_bench_walk_haswell"
grep -q -w avx2 /proc/cpuinfo || bench_die "this CPU has no AVX2: the haswell binary cannot run here"
[ -d "$BODIES" ] || bench_die "$BODIES is not a directory (record bodies with bench/record_bodies.sh)"
OUT="$(mktemp -d /tmp/dicomlake-bench-march.XXXXXX)"
trap 'rm -rf -- "$OUT"' EXIT
# The haswell copy is not part of `all`: build both, so they match the current sources.
cmake --build "$BUILD_DIR" --target dicomlake_bench_walk dicomlake_bench_walk_haswell >"$OUT/build.log" 2>&1 \
  || { tail -n 20 "$OUT/build.log" >&2; bench_die "building the benchmarks failed"; }

ARGS=(--benchmark_repetitions=3 --benchmark_min_time=0.3 --benchmark_format=json "${@:3}")
for ((r = 1; r <= ROUNDS; r++)); do
  bench_note "round $r/$ROUNDS"
  DICOMLAKE_BENCH_BODIES="$BODIES" "$DEFAULT_BIN" "${ARGS[@]}" >"$OUT/default-$r.json"
  DICOMLAKE_BENCH_BODIES="$BODIES" "$HASWELL_BIN" "${ARGS[@]}" >"$OUT/haswell-$r.json"
  SIMDJSON_FORCE_IMPLEMENTATION=fallback DICOMLAKE_BENCH_BODIES="$BODIES" "$DEFAULT_BIN" "${ARGS[@]}" \
    >"$OUT/scalar-$r.json"
done

/usr/bin/python3 - "$OUT" <<'EOF'
import glob, json, os, statistics, sys
out = sys.argv[1]
data, context = {}, {}
for variant in ("default", "haswell", "scalar"):
    for path in sorted(glob.glob(os.path.join(out, f"{variant}-*.json"))):
        doc = json.load(open(path))
        context[variant] = doc["context"]
        for b in doc["benchmarks"]:
            if b.get("run_type") != "iteration":
                continue
            d = data.setdefault(b["run_name"], {}).setdefault(variant, {"cpu": [], "bps": []})
            d["cpu"].append(b["cpu_time"])
            if "bytes_per_second" in b:
                d["bps"].append(b["bytes_per_second"])
for variant, c in context.items():
    print(f"{variant:8} simdjson stage 2 (compiled in): {c.get('simdjson_builtin_this_binary')}, "
          f"stage 1 (runtime): {c.get('simdjson_active_implementation_stage1')}, "
          f"builtin_implementation(): {c.get('simdjson_builtin_implementation()')}, "
          f"AVX2 code: {c.get('compiled_with_avx2')}")
print()
print(f"{'benchmark':<28} {'default MB/s':>12} {'haswell MB/s':>12} {'scalar MB/s':>11} "
      f"{'haswell/default':>15} {'scalar/default':>14}")
for name, v in data.items():
    med = {k: statistics.median(x["cpu"]) for k, x in v.items()}
    mbs = {k: f"{statistics.median(x['bps']) / 1e6:.0f}" if x["bps"] else "-" for k, x in v.items()}
    # speed ratios (>1 = faster than default), from median CPU time
    print(f"{name:<28} {mbs['default']:>12} {mbs['haswell']:>12} {mbs['scalar']:>11} "
          f"{med['default'] / med['haswell']:>15.2f} {med['default'] / med['scalar']:>14.2f}")
print("\nratios are speed ratios from the median CPU time of every repetition (>1: faster than default)")
EOF
