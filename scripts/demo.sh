#!/usr/bin/env bash
# Fresh Debian 12 machine -> running demo: install packages, build, start `churnwatch demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/build.sh
exec build/bin/churnwatch demo "$@"
