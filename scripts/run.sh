#!/usr/bin/env bash
# Sets up, builds and runs augur on its embedded default (data in ./augur-data).
# Extra arguments go to `augur serve`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build" -DCMAKE_BUILD_TYPE=Release -DAUGUR_BUILD_TESTS=OFF -DAUGUR_BUILD_BENCH=OFF
exec "$root/build/augur" serve --data-dir "${AUGUR_DATA_DIR:-$root/augur-data}" "$@"
