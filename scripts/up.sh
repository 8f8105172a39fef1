#!/usr/bin/env bash
# The main job: install what is missing, build, and run a local mesh on loopback — the
# control plane, two relays and three edges as separate processes, linked into a tree
# (data/trees/demo.toml) with emulated transatlantic links — then a synthetic publisher in
# room "demo" at the origin edge and synthetic viewers at every edge, printing what they
# receive. Room "live" is left for a browser: open the printed pages. Ctrl-C stops everything.
#   UP_BASE_PORT=9080 scripts/up.sh             other ports (CASCADE_* variables are node config)
#   UP_SYNTHETIC=0 scripts/up.sh           no synthetic publisher/viewers
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build tools/cascade/cascade
cascade=build/tools/cascade/cascade
base_port="${UP_BASE_PORT:-8080}"
origin="http://127.0.0.1:$((base_port + 10))"          # edge-eu
edges=("$origin" "http://127.0.0.1:$((base_port + 11))" "http://127.0.0.1:$((base_port + 12))")  # edge-eu, edge-eu-2, edge-us
names=(edge-eu edge-eu-2 edge-us)

log="$(mktemp)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT INT TERM

"$cascade" up --tree data/trees/demo.toml --base-port "$base_port" "$@" > >(tee "$log") 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^up: tree ready' "$log" && break; sleep 0.2; done
grep -q '^up: tree ready' "$log" || { echo "up.sh: the tree did not come up" >&2; exit 1; }

cat <<EOT

Publish (browser, room "live", at the origin in europe-west1):
  ${origin}/web/publish.html?room=live
Watch at any edge (the stream crosses the tree to reach the others):
  ${edges[0]}/web/watch.html?room=live     edge-eu    (origin)
  ${edges[1]}/web/watch.html?room=live     edge-eu-2  (via relay-eu)
  ${edges[2]}/web/watch.html?room=live     edge-us    (via relay-eu and relay-us, 1 % loss each way across the Atlantic)
Tree:  http://127.0.0.1:${base_port}/api/tree      Nodes: http://127.0.0.1:${base_port}/api/nodes

EOT

if [ "${UP_SYNTHETIC:-1}" != 0 ]; then
  echo "up.sh: synthetic publisher in room \"demo\" at edge-eu; 5 synthetic viewers at each edge for 10 s"
  "$cascade" loadgen --edge "$origin" --room demo --publish --viewers 0 --duration 3600 \
    --token-from-edge > /dev/null 2>&1 &
  pids+=($!)
  sleep 2
  for i in 0 1 2; do
    ("$cascade" loadgen --edge "${edges[$i]}" --room demo --viewers 5 --duration 10 --token-from-edge 2>/dev/null |
      sed -n "s/^viewers=/up.sh: ${names[$i]} viewers=/p; s/^rss_per_viewer_kib=.*join_p50_ms=\([0-9.]*\).*/up.sh: ${names[$i]} join_p50_ms=\1/p") &
  done
  sleep 16
  echo "up.sh: the synthetic publisher keeps going; Ctrl-C stops the mesh"
fi
wait "${pids[0]}"
