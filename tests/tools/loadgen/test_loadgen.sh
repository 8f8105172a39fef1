#!/usr/bin/env bash
# `cascade loadgen` against a one-edge `cascade up`: a synthetic publisher and 20 viewers;
# loadgen exits non-zero unless every viewer received video.
set -euo pipefail
cascade="$1"
base_port="${2:-18640}"
log="$(mktemp)"
"$cascade" up --edges 1 --relays 0 --base-port "$base_port" --duration 40 >"$log" 2>&1 &
up_pid=$!
trap 'kill -INT "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 50); do
  grep -q "nodes registered" "$log" && break
  sleep 0.1
done
grep -q "nodes registered" "$log" || { echo "FAIL: mesh did not start"; cat "$log"; exit 1; }
"$cascade" loadgen --edge "http://127.0.0.1:$((base_port + 10))" --room it --viewers 20 --publish --duration 5
