#!/usr/bin/env bash
# The main job: install what is missing, build, and run a local mesh on loopback — control
# plus a relay and edges in each of three emulated regions (europe-west1, us-east1,
# asia-northeast1; inter-region links through the link emulator with the measured GCP delay
# and 1 % loss each way) — then a synthetic publisher in room "demo" and synthetic viewers in
# every region, all joining through control only: control places each client at its region's
# edge and grows the room's tree to reach it. Prints what the viewers received, and control's
# live summary (nodes per region, each room's tree, viewers and loss per edge); node logs go
# to a file. Room "live" is left for a browser: open the printed pages. Ctrl-C stops everything.
#   UP_BASE_PORT=9080 scripts/up.sh      other ports (CASCADE_* variables are node config)
#   UP_SYNTHETIC=0 scripts/up.sh         no synthetic publisher/viewers
#   scripts/up.sh --regions europe-west1,us-west1 --edges 2     other `cascade up` options
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build tools/cascade/cascade >/dev/null
cascade=build/tools/cascade/cascade
base_port="${UP_BASE_PORT:-8080}"
control="http://127.0.0.1:${base_port}"
log_file="/tmp/cascade-up-${base_port}.log"
regions=(europe-west1 us-east1 asia-northeast1)

out="$(mktemp)"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -f "$out"; }
trap cleanup EXIT INT TERM

"$cascade" up --base-port "$base_port" --loss 0.01 --log-file "$log_file" "$@" > >(tee "$out") 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do grep -q '^up: all [0-9]* nodes registered' "$out" && break; sleep 0.2; done
grep -q '^up: all [0-9]* nodes registered' "$out" || { echo "up.sh: the mesh did not come up" >&2; exit 1; }

cat <<EOT

Publish (browser, room "live"; control places you at your region's edge):
  ${control}/web/publish.html?room=live
Watch through control (add &region=us-east1 or &region=asia-northeast1 to watch from another region;
control grows the room's tree to that region's edge):
  ${control}/web/watch.html?room=live
Tree: ${control}/api/tree   Nodes: ${control}/api/nodes   Node logs: ${log_file}

EOT

if [ "${UP_SYNTHETIC:-1}" != 0 ]; then
  echo "up.sh: synthetic publisher in room \"demo\" (europe-west1); 5 synthetic viewers in each region for 10 s, all through control"
  "$cascade" loadgen --control "$control" --room demo --publish --viewers 0 --duration 3600 \
    --region "${regions[0]}" >>"$log_file" 2>&1 &
  pids+=($!)
  sleep 2
  for region in "${regions[@]}"; do
    ("$cascade" loadgen --control "$control" --room demo --viewers 5 --duration 10 --join-timeout 8 \
      --region "$region" 2>/dev/null | sed -n "s/^edge=\([^ ]*\) \(.*\)/up.sh: ${region} viewers at \1: \2/p") &
  done
  sleep 19
  echo "up.sh: the synthetic publisher keeps going; Ctrl-C stops the mesh"
fi
wait "${pids[0]}"
