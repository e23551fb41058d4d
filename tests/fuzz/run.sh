#!/usr/bin/env bash
# Runs one fuzz target on its seed corpus for a bounded time; exits non-zero on any finding.
#   tests/fuzz/run.sh BUILD_DIR TARGET [SECONDS] [libFuzzer options...]
# SECONDS defaults to $DICOMLAKE_FUZZ_SECONDS or 20. Inputs that reach new code are kept in
# BUILD_DIR/fuzz/corpus/TARGET (so longer runs build on shorter ones); a crashing input is
# written to BUILD_DIR/fuzz/findings/TARGET/ (docs/testing.md: turn it into a regression seed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "$1" && pwd)"
name="$2"
seconds="${3:-${DICOMLAKE_FUZZ_SECONDS:-20}}"
shift $(( $# >= 3 ? 3 : 2 ))

bin="$build/tests/fuzz/fuzz_$name"
[ -x "$bin" ] || { echo "fuzz: $bin is not built (configure with -DDICOMLAKE_BUILD_FUZZERS=ON)" >&2; exit 2; }
corpus="$build/fuzz/corpus/$name"
findings="$build/fuzz/findings/$name"
mkdir -p "$corpus" "$findings"
seeds=("$here/seeds/$name")
[ -d "$build/fuzz/seeds/$name" ] && seeds+=("$build/fuzz/seeds/$name")

# Findings are fatal and reported with a stack; leaks count (LeakSanitizer runs at exit of
# each input batch). The suppressions cover only Debian libraries' own one-time allocations.
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:check_initialization_order=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$here/lsan.supp:${LSAN_OPTIONS:-}"

echo "fuzz: $name for ${seconds}s, seeds: ${seeds[*]}"
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -dict="$here/dict/$name.dict" -artifact_prefix="$findings/" -print_final_stats=1 \
  "$@" "$corpus" "${seeds[@]}"
