#!/usr/bin/env bash
# Placements per second through control's HTTP entry (in memory): `cascade up` without a tree
# (control and 7 nodes in three emulated regions), then `cascade entrybench` against control:
# GET /healthz on keep-alive connections (the HTTP layer's limit on this server), then
# POST /whep/{room} with development tokens, counting the 307s. Prints the machine, both
# rates, their ratio and control's CPU per request.
#   scripts/bench-entry.sh [build-dir] [entrybench options, e.g. --seconds 10 --region-hints us-east1]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
shift || true
base_port="${BENCH_ENTRY_PORT:-22400}"
cascade="$build/tools/cascade/cascade"
flock /tmp/cascade-build.lock ninja -C "$build" tools/cascade/cascade >/dev/null
out="$(mktemp)"
"$cascade" up --base-port "$base_port" --duration 600 --log-file "$out.log" >"$out" 2>&1 &
up_pid=$!
trap 'kill -INT "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; rm -f "$out" "$out.log"' EXIT
for _ in $(seq 1 100); do
  grep -q "nodes registered" "$out" && break
  sleep 0.1
done
grep -q "nodes registered" "$out" || { echo "FAIL: the mesh did not start"; cat "$out"; exit 1; }
echo "machine: nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "mesh: $(grep -o 'all [0-9]* nodes registered' "$out") (cascade up --base-port $base_port, no tree)"
# Control runs in the `cascade up` process itself, so its pid is control's.
"$cascade" entrybench --control "http://127.0.0.1:$base_port" --control-pid "$up_pid" "$@"
echo "machine after: load average $(cut -d' ' -f1-3 /proc/loadavg)"
