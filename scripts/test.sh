#!/usr/bin/env bash
# Fresh Debian 12 machine -> whole test suite: install packages, build, run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
# The browser tests' one npm dependency (playwright-core), exactly as locked.
(cd tests/browser && npm ci --no-audit --no-fund)
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
