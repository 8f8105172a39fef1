#!/usr/bin/env bash
# `cascade up` without a tree file: control plus a relay and edges in each of three emulated
# regions, as separate processes on loopback. Every node registers over the control channel;
# node logs go to the log file while stdout stays a short story; clients joining through
# control land at their own region's edge; a viewer far from the publisher gets video once
# the room's tree reaches its edge, over a link that control's path provider routed through a
# link emulator with the matrix delay; the mesh stops cleanly.
set -euo pipefail
cascade="$1"
base_port="${2:-18380}"
dir="$(mktemp -d)"
out="$dir/up.out"
log="$dir/up.log"
up_pid=""
cleanup() { [ -n "$up_pid" ] && kill "$up_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
control="http://127.0.0.1:${base_port}"

"$cascade" up --duration 30 --base-port "$base_port" --loss 0.01 --log-file "$log" >"$out" 2>&1 &
up_pid=$!

fail() {
  echo "FAIL: $*"
  echo "---- cascade up stdout"; cat "$out"
  echo "---- log file (last 40 lines)"; tail -40 "$log" 2>/dev/null || true
  exit 1
}

for _ in $(seq 1 60); do
  grep -q "all 7 nodes registered" "$out" && break
  sleep 0.1
done
grep -q "all 7 nodes registered" "$out" || fail "nodes did not register"

nodes_json="$(curl -sf "$control/api/nodes")" || fail "control API did not answer"
python3 - "$nodes_json" <<'PY' || fail "node list wrong: $nodes_json"
import json, sys
nodes = json.loads(sys.argv[1])["nodes"]
want = {
    "edge-europe-west1-1": "europe-west1", "edge-europe-west1-2": "europe-west1",
    "relay-europe-west1-1": "europe-west1", "edge-us-east1-1": "us-east1", "relay-us-east1-1": "us-east1",
    "edge-asia-northeast1-1": "asia-northeast1", "relay-asia-northeast1-1": "asia-northeast1",
}
assert {n["id"]: n["region"] for n in nodes} == want, nodes
assert all(n["alive"] for n in nodes), nodes
assert len({n["ssrc_range_start"] for n in nodes}) == len(nodes), "SSRC ranges must differ"
PY

# Logs: every node's lines are in the file, none on stdout, which stays short.
for id in edge-europe-west1-1 edge-europe-west1-2 relay-europe-west1-1 edge-us-east1-1 relay-us-east1-1 \
  edge-asia-northeast1-1 relay-asia-northeast1-1; do
  grep -q "event=node.started node=$id " "$log" || fail "no node.started line for $id in the log file"
done
grep -q "event=control.started" "$log" || fail "control's own log is not in the log file"
grep -q "ts=" "$out" && fail "log lines leaked to stdout"
grep -q "^up: node and control logs go to $log\$" "$out" || fail "the log file is not announced"

edge_metrics="$(curl -sf "http://127.0.0.1:$((base_port + 10))/metrics")" || fail "edge /metrics did not answer"
grep -q '^cascade_control_registered 1$' <<<"$edge_metrics" || fail "edge not registered per its metrics"
curl -sf "http://127.0.0.1:$((base_port + 30))/healthz" | grep -q "ok registered" || fail "relay health"

# Hostile datagrams at the edge's media port: dropped and counted, and the edge stays up.
python3 - "$((base_port + 1920))" <<'PY'
import os, socket, struct, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def stun(username):
    attr = username.encode()
    pad = (4 - len(attr) % 4) % 4
    body = struct.pack("!HH", 0x0006, len(attr)) + attr + b"\0" * pad
    return struct.pack("!HHI", 0x0001, len(body), 0x2112A442) + os.urandom(12) + body
packets = [
    stun("nosuchufrag:someone"),            # well-formed, unknown session
    b"\x00\x01\x00\x08\x21\x12",             # truncated STUN
    b"\x16\xfe\xfd" + os.urandom(60),         # DTLS from an address with no session
    b"\x80\x60" + os.urandom(100),             # RTP from an address with no session
    os.urandom(1) + b"",                     # one byte
]
for _ in range(50):
    for p in packets:
        s.sendto(p, ("127.0.0.1", port))
PY
sleep 0.3
edge_metrics="$(curl -sf "http://127.0.0.1:$((base_port + 10))/metrics")" || fail "edge died on hostile datagrams"
unmatched="$(sed -n 's/^cascade_media_unmatched_packets_total \([0-9]*\)$/\1/p' <<<"$edge_metrics")"
stun_errors="$(grep '^cascade_stun_parse_errors_total' <<<"$edge_metrics" | awk '{s+=$2} END {print s+0}')"
[ "${unmatched:-0}" -ge 150 ] || fail "unmatched datagrams not counted (got ${unmatched:-none})"
[ "${stun_errors:-0}" -ge 50 ] || fail "malformed STUN not counted (got ${stun_errors:-none})"

# Through control, a token's region hint puts the client at that region's edge.
for region in us-east1 asia-northeast1; do
  token="$("$cascade" token --room lobby --role watch --region "$region")"
  answer="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -X POST -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/sdp' --data 'v=0' "$control/whep/lobby")"
  case "$region" in us-east1) port=$((base_port + 12)) ;; asia-northeast1) port=$((base_port + 13)) ;; esac
  [[ "$answer" =~ ^307\ http://127\.0\.0\.1:${port}/whep/lobby ]] || fail "a $region viewer was sent to: $answer"
done

# A publisher in europe-west1 and viewers in asia-northeast1, all joining through control.
"$cascade" loadgen --control "$control" --room demo --publish --viewers 0 --duration 25 --region europe-west1 \
  >"$dir/publisher.out" 2>&1 &
origin=""
for _ in $(seq 1 50); do
  for i in 0 1; do
    if curl -sf "http://127.0.0.1:$((base_port + 10 + i))/metrics" | grep -q '^cascade_edge_sessions{kind="publisher"} 1$'; then
      origin="edge-europe-west1-$((i + 1))"
    fi
  done
  [ -n "$origin" ] && break
  sleep 0.1
done
[ -n "$origin" ] || fail "the europe-west1 publisher is at neither europe-west1 edge: $(cat "$dir/publisher.out")"
sleep 1.5  # the publisher's first keyframe, as loadgen waits before its own viewers

"$cascade" loadgen --control "$control" --room demo --viewers 3 --duration 3 --join-timeout 15 \
  --region asia-northeast1 >"$dir/viewers.out" 2>&1 &
viewers_pid=$!
# Control grows the room's tree to the viewers' edge by itself (no link is made by hand).
wait "$viewers_pid" || fail "the asia-northeast1 viewers got no video: $(cat "$dir/viewers.out")"
grep -q '^edge=edge-asia-northeast1-1 viewers=3 with_video=3 ' "$dir/viewers.out" ||
  fail "viewers not all at edge-asia-northeast1-1 with video: $(cat "$dir/viewers.out")"

# The tree's inter-region link runs through an emulator with the matrix delay; the
# same-region link does not.
tree_json="$(curl -sf "$control/api/tree")" || fail "GET /api/tree"
python3 - "$tree_json" <<'PY' || fail "tree does not reach edge-asia-northeast1-1: $tree_json"
import json, sys
links = json.loads(sys.argv[1])["streams"]["demo"]
parents = {l["child"]: l["parent"] for l in links}
node, hops = "edge-asia-northeast1-1", 0
while node in parents and hops < 10:
    node, hops = parents[node], hops + 1
assert node.startswith("edge-europe-west1-"), (node, links)
PY
emulator_line="$(grep "^up: started link emulator .* -> .*, asia-northeast1 -> europe-west1" "$out" | head -1)"
[ -n "$emulator_line" ] || fail "no link emulator was started for the asia-northeast1 -> europe-west1 link"
grep -q "^up: started link emulator edge-asia-northeast1-1 -> relay-asia-northeast1-1" "$out" &&
  fail "a same-region link went through an emulator"
[[ "$emulator_line" =~ \(http\ 127\.0\.0\.1:([0-9]+)\) ]] || fail "emulator line without http port: $emulator_line"
emulator_state="$(curl -sf "http://127.0.0.1:${BASH_REMATCH[1]}/link")" || fail "emulator GET /link"
emulated_child="$(sed -n 's/^up: started link emulator \([^ ]*\) -> \([^ ]*\) .*/\1 \2/p' <<<"$emulator_line")"
set -- $emulated_child
child_metrics="$(curl -sf "http://127.0.0.1:$((base_port + 30 + 2))/metrics")" || fail "relay-asia-northeast1-1 /metrics"
[ "$1" = relay-asia-northeast1-1 ] || fail "emulated link from $1, expected relay-asia-northeast1-1"
python3 - "$emulator_state" "$child_metrics" "$2" <<'PY' || fail "emulated link figures wrong: $emulator_state"
import json, re, sys
state, metrics, parent = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
assert state["b_to_a"]["counters"]["forwarded"] > 200, state      # media parent -> child
assert 100 < state["b_to_a"]["delay_ms"] < 150, state               # GCP europe-west1 <-> asia-northeast1 RTT/2
rtt = [float(m) for m in re.findall(r'^cascade_link_rtt_seconds\{[^}]*peer="%s"[^}]*\} (\S+)$' % parent, metrics, re.M)]
assert rtt and rtt[0] > 0.2, rtt                                    # the link's own RTT includes both delays
PY

# The live summary shows the room's tree down to the far edge.
sleep 1.2
grep -q "^  room demo$" "$out" || fail "the summary shows no tree for room demo"
grep -Eq "^ +(└─|├─) edge-asia-northeast1-1  3 viewers" "$out" || fail "the summary's tree lacks the far edge"

wait "$up_pid" || { up_pid=""; fail "cascade up exited non-zero"; }
up_pid=""
grep -q "mesh was healthy (0 node processes exited uncleanly)" "$out" || fail "unclean shutdown"
lines="$(wc -l <"$out")"
[ "$lines" -le 120 ] || fail "stdout is not short: $lines lines"
echo "cascade up: 7 nodes in 3 regions registered, logs in the file ($(wc -l <"$log") lines) and $lines lines on stdout," \
  "region-hinted clients at their edges, far viewers got video through an emulated link, clean shutdown"
