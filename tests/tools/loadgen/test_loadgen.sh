#!/usr/bin/env bash
# `cascade loadgen` against a one-edge `cascade up`: a synthetic publisher and 200 viewers.
# Asserts every viewer received video (loadgen's own exit status), unrecovered loss below
# 0.1 %, and that once every session has ended the edge's resident memory and open file
# descriptors are back within a small margin of what they were before the crowd came.
set -euo pipefail
cascade="$1"
base_port="${2:-18640}"
viewers="${VIEWERS:-200}"
log="$(mktemp)"
out="$(mktemp)"
"$cascade" up --edges 1 --relays 0 --base-port "$base_port" --duration 60 >"$log" 2>&1 &
up_pid=$!
trap 'kill -INT "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; rm -f "$log" "$out"' EXIT
for _ in $(seq 1 50); do
  grep -q "nodes registered" "$log" && break
  sleep 0.1
done
grep -q "nodes registered" "$log" || { echo "FAIL: mesh did not start"; cat "$log"; exit 1; }
edge="http://127.0.0.1:$((base_port + 10))"
metric() { curl -sf "$edge/metrics" | awk -v name="$1" '$1 == name { sum += $2 } END { printf "%d\n", sum }'; }
viewer_sessions() { curl -sf "$edge/metrics" | awk '$1 == "cascade_edge_sessions{kind=\"viewer\"}" { print $2 }'; }

idle_rss=$(metric cascade_process_resident_bytes)
idle_fds=$(metric cascade_process_open_fds)
"$cascade" loadgen --edge "$edge" --room it --viewers "$viewers" --publish --duration 3 | tee "$out"
loss=$(sed -n 's/.*loss_pct=\([0-9.]*\).*/\1/p' "$out" | head -1)
awk -v loss="${loss:-100}" 'BEGIN { exit !(loss < 0.1) }' || { echo "FAIL: unrecovered loss ${loss:-?} % (bound 0.1 %)"; exit 1; }
echo "PASS: $viewers viewers got video, unrecovered loss $loss %"

# The loadgen ends its sessions with DELETE; give the edge 15 s to forget them all.
for _ in $(seq 1 150); do
  [ "$(viewer_sessions)" = "0" ] && break
  sleep 0.1
done
[ "$(viewer_sessions)" = "0" ] || { echo "FAIL: $(viewer_sessions) viewer sessions left on the edge"; exit 1; }
# Freed memory goes back to the system a second after the last session ended.
for _ in $(seq 1 40); do
  [ "$(metric cascade_process_heap_trims_total)" -gt 0 ] && break
  sleep 0.1
done
rss=$(metric cascade_process_resident_bytes)
fds=$(metric cascade_process_open_fds)
margin=$((6 * 1024 * 1024))
echo "edge idle: rss $((idle_rss / 1024)) KiB, $idle_fds fds; after $viewers viewers left: rss $((rss / 1024)) KiB, $fds fds"
if [ "${CASCADE_SANITIZE:-none}" = "none" ]; then
  [ "$rss" -le $((idle_rss + margin)) ] || { echo "FAIL: edge RSS $((rss / 1024)) KiB is over its idle $((idle_rss / 1024)) KiB + 6 MiB"; exit 1; }
else
  echo "SKIP: the RSS bound (a $CASCADE_SANITIZE build: its allocator keeps freed memory in quarantine)"
fi
[ "$fds" -le $((idle_fds + 2)) ] || { echo "FAIL: edge holds $fds file descriptors, $idle_fds when idle"; exit 1; }
echo "PASS: the edge's file descriptors (and, without a sanitizer, its RSS) returned to their idle level"
