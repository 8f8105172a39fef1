#!/usr/bin/env bash
# The main job: install what is missing, build, and run a local mesh on loopback — the
# control plane, a relay and two edges as separate processes — printing what they do.
# Open the printed publish and watch pages in a browser; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build tools/cascade/cascade
base_port="${CASCADE_BASE_PORT:-8080}"
edge_port=$((base_port + 10))
cat <<EOT

Publish: http://127.0.0.1:${edge_port}/web/publish.html?room=demo
Watch:   http://127.0.0.1:${edge_port}/web/watch.html?room=demo
Nodes:   http://127.0.0.1:${base_port}/api/nodes

EOT
exec build/tools/cascade/cascade up --base-port "$base_port" "$@"
