#!/usr/bin/env bash
# Fresh Debian 12 machine -> whole test suite: install packages, build, run ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
