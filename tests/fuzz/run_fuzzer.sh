#!/usr/bin/env bash
# run_fuzzer.sh FUZZER SEED_DIR SECONDS: fuzzes for a bounded time without writing into the
# source tree (new inputs go to a temporary folder; crashes are kept in the build folder).
set -euo pipefail
fuzzer="$1"; seeds="$2"; seconds="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
artifacts="$(dirname "$fuzzer")/fuzz-artifacts/$(basename "$fuzzer")/"
mkdir -p "$artifacts"
exec "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$work" "$seeds"
