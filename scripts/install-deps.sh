#!/usr/bin/env bash
# Installs what augur needs to build, test and benchmark on Debian 12.
# Idempotent; uses sudo when not root.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev
  libboost-dev libssl-dev zlib1g-dev libsqlite3-dev libyaml-cpp-dev
  nlohmann-json3-dev libspdlog-dev libcli11-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  hey curl openssl
)
# Node.js runs the end-to-end tests. A machine may already have a newer
# Node.js with its own npm (which conflicts with Debian's npm package), so
# Debian's are installed only when there is none.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
