#!/usr/bin/env bash
# Fails when a C++ source file is not formatted as .clang-format says.
# Fix with: git ls-files '*.cc' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror
echo "format: ok"
