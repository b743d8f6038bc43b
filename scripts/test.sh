#!/usr/bin/env bash
# Fresh Debian 12 machine -> whole test suite: install packages, build, run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
# The browser tests' one npm dependency (playwright-core), exactly as locked.
(cd tests/browser && npm ci --no-audit --no-fund)
(cd build && ctest --output-on-failure -j "$(nproc)" "$@")
# In CI (CI=true) also: the unit tests under ASan + UBSan, and a 30-second libFuzzer pass per
# fuzz target (README "Fuzzing and sanitizers"). About 26 more minutes on 2 cores; set
# CHURNWATCH_SANITIZED=1 to run them outside CI, CHURNWATCH_SANITIZED=0 to skip them in CI.
if [ "${CHURNWATCH_SANITIZED:-$([ "${CI:-}" = true ] && echo 1 || echo 0)}" = 1 ]; then
  bash scripts/test-sanitized.sh
  bash scripts/fuzz.sh "${CHURNWATCH_FUZZ_SECONDS:-30}"
fi
