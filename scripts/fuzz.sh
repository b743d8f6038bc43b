#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) into build-fuzz/ and runs
# each for SECONDS (default 60), starting from its seed corpus and dictionary.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
# Exit 0 when no target crashed, leaked or tripped a sanitizer; else 1, naming each failing
# target and its reproducer file. New interesting inputs go to build-fuzz/corpus/<target>/ (the
# seed corpus in the source tree is left alone); logs to build-fuzz/logs/<target>.log, and a
# summary line per target (executions, exec/s, coverage) to build-fuzz/logs/summary.txt.
# Env: FUZZ_JOBS (build parallelism, default: nproc capped at 2), FUZZ_RSS_MB (default 2048).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER_TARGET="${1:-60}"
shift || true
TARGETS=(event_json event_proto rules config csv_import cdnow_import labels http_query)
[ $# -gt 0 ] && TARGETS=("$@")
JOBS="${FUZZ_JOBS:-$(($(nproc) < 2 ? $(nproc) : 2))}"

command -v clang++ >/dev/null || { echo "fuzz: clang++ not found (bash scripts/setup-debian.sh)" >&2; exit 2; }
# -O1 and line tables only: the fuzz build compiles most of the engine, and this halves its
# time while keeping file:line in every sanitizer report.
cmake -S . -B build-fuzz -G Ninja -DCHURNWATCH_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null
targets=()
for t in "${TARGETS[@]}"; do targets+=("${t}_fuzz"); done
cmake --build build-fuzz -j "$JOBS" --target "${targets[@]}"

# See the README ("Fuzzing and sanitizers") for why each option is set.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p build-fuzz/logs build-fuzz/artifacts build-fuzz/work
: > build-fuzz/logs/summary.txt
failed=0
for t in "${TARGETS[@]}"; do
  corpus="$ROOT/build-fuzz/corpus/$t"
  artifacts="$ROOT/build-fuzz/artifacts/$t/"
  log="$ROOT/build-fuzz/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="$ROOT/tests/fuzz/dict/$t.dict")
  # An empty working directory: the config target's loader opens the files a config names.
  work=$(mktemp -d "$ROOT/build-fuzz/work/$t.XXXX")
  set +e
  (cd "$work" && "$ROOT/build-fuzz/fuzz/${t}_fuzz" "$corpus" "$ROOT/tests/fuzz/corpus/$t" \
      "${dict[@]}" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
      -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1)
  rc=$?
  set -e
  rm -rf "$work"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-13s %4ss  %10s execs  %7s exec/s  cov %s\n' "$t" "$SECONDS_PER_TARGET" \
    "${execs:-?}" "${rate:-?}" "${cov:-?}" | tee -a build-fuzz/logs/summary.txt
  if [ $rc -ne 0 ]; then
    failed=1
    repro=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
    echo "fuzz: $t FAILED (exit $rc); reproducer: ${repro:-none written}; log: $log" >&2
    grep -m1 -E "ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|fuzz invariant" \
      "$log" >&2 || true
  fi
done
exit $failed
