#!/usr/bin/env bash
# Installs every Debian 12 package churnwatch needs to build, test and run.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  # libraries (architecture.md: nothing vendored, nothing downloaded at build time)
  librdkafka-dev librocksdb-dev libprotobuf-dev protobuf-compiler prometheus-cpp-dev
  libgtest-dev libgmock-dev googletest libyaml-cpp-dev libmuparser-dev libcpp-httplib-dev
  nlohmann-json3-dev libcurl4-openssl-dev libspdlog-dev libfmt-dev libcli11-dev
  libbenchmark-dev libsimdjson-dev libhowardhinnant-date-dev tzdata libsnappy-dev
  libnlopt-dev libgsl-dev libxgboost-dev
  # fuzzing and sanitizers (scripts/fuzz.sh: clang's libFuzzer; llvm-symbolizer for reports)
  clang libclang-rt-14-dev llvm
  # test peers: promtool (deploy/prometheus checks), a real Alertmanager, Chromium and a CJK
  # font for the dashboard browser tests (readable zh-CN screenshots)
  kcat curl jq procps prometheus prometheus-alertmanager chromium fonts-wqy-zenhei
)
# Node.js + npm for the browser tests (playwright-core from npm): Debian's, unless a node is
# already installed some other way.
command -v node >/dev/null || PACKAGES+=(nodejs)
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  SUDO=sudo
fi
echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
