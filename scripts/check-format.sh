#!/usr/bin/env bash
# Fails when any C++ file differs from what clang-format (config in .clang-format) produces.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc')
[ ${#files[@]} -eq 0 ] && exit 0
if ! clang-format --dry-run --Werror "${files[@]}" 2>/tmp/cascade-format.log; then
  grep -E "^[^ ].*: (error|warning)" /tmp/cascade-format.log | cut -d: -f1 | sort -u | sed 's/^/needs clang-format: /'
  echo "format check failed: run 'clang-format -i' on the files above"
  exit 1
fi
echo "format check: ${#files[@]} files clean"
