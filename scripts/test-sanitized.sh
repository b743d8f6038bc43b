#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (gcc), built into
# build-asan/ (-DCHURNWATCH_SANITIZE=ON): the unit tests (ctest label unit, which includes the
# fuzz replays of tests/fuzz), and with --integration the integration tests too (they start the
# sanitized churnwatch binary). Extra arguments go to ctest.
#   bash scripts/test-sanitized.sh [--integration] [CTEST_ARGS...]
# Any sanitizer report fails the test that triggered it (-fno-sanitize-recover, halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
LABELS=unit
TARGET=(--target churnwatch_unit_tests)
if [ "${1:-}" = "--integration" ]; then
  LABELS='unit|integration'
  TARGET=()
  shift
fi
JOBS="${SANITIZE_JOBS:-$(nproc)}"
# The options are explained in the README ("Fuzzing and sanitizers"). They are set before the
# build too: gtest_discover_tests runs each test binary while building.
SUPP="$PWD/tests/sanitizers"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$SUPP/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp}"
# -O1 -g1: a sanitized build of the whole engine at half the compile time of -O2 -g.
cmake -S . -B build-asan -G Ninja -DCHURNWATCH_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" >/dev/null
cmake --build build-asan -j "$JOBS" "${TARGET[@]}"
cd build-asan
ctest --output-on-failure -j "$(nproc)" -L "$LABELS" "$@"
