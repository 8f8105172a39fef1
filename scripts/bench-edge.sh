#!/usr/bin/env bash
# Edge benchmark: a release build, a one-edge mesh on loopback, a synthetic WHIP publisher and
# N WHEP viewers from `cascade loadgen`; prints memory per viewer, CPU per forwarded packet,
# forwarded packets/s and join latency (WHEP POST to first video RTP).
#
#   scripts/bench-edge.sh [viewers=200]
#   BUILD_DIR=build DURATION=10 BASE_PORT=18600 scripts/bench-edge.sh 100
set -euo pipefail
cd "$(dirname "$0")/.."
viewers="${1:-200}"
build_dir="${BUILD_DIR:-build-release}"
duration="${DURATION:-10}"
base_port="${BASE_PORT:-18600}"

if [[ ! -f "$build_dir/build.ninja" ]]; then
  meson setup "$build_dir" -Dbuildtype=release >/dev/null
fi
ninja -C "$build_dir" -j"$(nproc)" tools/cascade/cascade >/dev/null
cascade="$build_dir/tools/cascade/cascade"

log="$(mktemp)"
"$cascade" up --edges 1 --relays 0 --base-port "$base_port" >"$log" 2>&1 &
up_pid=$!
cleanup() {
  kill -INT "$up_pid" 2>/dev/null || true
  wait "$up_pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  grep -q "nodes registered" "$log" && break
  sleep 0.1
done
grep -q "nodes registered" "$log" || { echo "bench-edge: mesh did not start"; cat "$log"; exit 1; }

edge_port=$((base_port + 10))
echo "bench-edge: build=$build_dir viewers=$viewers duration=${duration}s edge=127.0.0.1:$edge_port"
"$cascade" loadgen --edge "http://127.0.0.1:$edge_port" --room bench --viewers "$viewers" --publish \
  --duration "$duration" --token-from-edge | tail -n 3
