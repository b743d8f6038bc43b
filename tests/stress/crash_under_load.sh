#!/usr/bin/env bash
# The SIGKILL and SIGTERM suites, run again and again with the CPUs busy: timing bugs (the
# lost-events defect of issue 10 among them) hide on a quiet machine.
#
#   tests/stress/crash_under_load.sh [RUNS] [HOGS]
#
# Starts HOGS busy loops (default 2, one per core here), then runs the SIGKILL and SIGTERM
# suites RUNS times in a row (default 20): crash_recovery_test (SIGKILL x5 and SIGTERM x2
# mid-stream with a random seed, and the SIGTERM case of seed 1509138094; state and alerts
# compared with uninterrupted runs) and offset_gap_test (injected delivery faults across a
# SIGTERM restart). Each run gets a fresh random seed; the first failure stops the loop, prints
# the seed (rerun with CHURNWATCH_TEST_SEED=...) and keeps the test's temporary directories
# (CHURNWATCH_KEEP_TEMP=1). Not part of ctest: it takes about RUNS x 4 minutes. Needs a build
# (bash scripts/build.sh); BUILD_DIR=DIR runs the binaries of another build (a copy, say, so
# that rebuilding meanwhile does not swap them mid-run). Exit 0 when every run passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-20}"
HOGS="${2:-2}"
BUILD_DIR="${BUILD_DIR:-build}"
TESTS="$BUILD_DIR/tests"
for t in crash_recovery_test offset_gap_test; do
  [ -x "$TESTS/$t" ] || { echo "crash_under_load: $TESTS/$t missing; run bash scripts/build.sh" >&2; exit 2; }
done
export CHURNWATCH_BIN="$(cd "$BUILD_DIR" && pwd)/bin/churnwatch"
export CHURNWATCH_KEEP_TEMP=1
LOG_DIR="$BUILD_DIR/test-artifacts/crash-under-load"
mkdir -p "$LOG_DIR"

hog_pids=()
stop_hogs() { for p in "${hog_pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap stop_hogs EXIT
for _ in $(seq "$HOGS"); do
  ( while :; do :; done ) &
  hog_pids+=($!)
done
echo "crash_under_load: $HOGS busy loops running (pids ${hog_pids[*]}); $RUNS runs; logs in $LOG_DIR"

started=$(date +%s)
for run in $(seq "$RUNS"); do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  t0=$(date +%s)
  log="$LOG_DIR/run-$run.log"
  if CHURNWATCH_TEST_SEED=$seed "$TESTS/crash_recovery_test" >"$log" 2>&1 &&
     "$TESTS/offset_gap_test" >>"$log" 2>&1; then
    echo "run $run/$RUNS passed (seed $seed, $(( $(date +%s) - t0 )) s)"
  else
    echo "run $run/$RUNS FAILED (seed $seed): see $log; temporary directories were kept" >&2
    grep -E "Failure|differs|FAILED" "$log" | head -20 >&2 || true
    exit 1
  fi
done
echo "crash_under_load: $RUNS of $RUNS runs passed with $HOGS busy loops in $(( $(date +%s) - started )) s"
