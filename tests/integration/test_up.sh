#!/usr/bin/env bash
# `cascade up` starts control, a relay and two edges as separate processes on loopback;
# every node registers over the control channel, serves /metrics, and the mesh stops cleanly.
set -euo pipefail
cascade="$1"
base_port="${2:-18380}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

"$cascade" up --duration 4 --base-port "$base_port" --edges 2 --relays 1 >"$log" 2>&1 &
up_pid=$!

fail() { echo "FAIL: $*"; cat "$log"; kill "$up_pid" 2>/dev/null || true; exit 1; }

for _ in $(seq 1 40); do
  grep -q "all 3 nodes registered" "$log" && break
  sleep 0.1
done
grep -q "all 3 nodes registered" "$log" || fail "nodes did not register"

nodes_json="$(curl -sf "http://127.0.0.1:${base_port}/api/nodes")" || fail "control API did not answer"
python3 - "$nodes_json" <<'PY' || fail "node list wrong: $nodes_json"
import json, sys
nodes = json.loads(sys.argv[1])["nodes"]
assert sorted(n["id"] for n in nodes) == ["edge-1", "edge-2", "relay-1"], nodes
assert all(n["alive"] for n in nodes), nodes
assert len({n["ssrc_range_start"] for n in nodes}) == 3, "SSRC ranges must differ"
PY

edge_metrics="$(curl -sf "http://127.0.0.1:$((base_port + 10))/metrics")" || fail "edge /metrics did not answer"
grep -q '^cascade_control_registered 1$' <<<"$edge_metrics" || fail "edge not registered per its metrics"
grep -q '^cascade_udp_datagrams_received_total{socket="media"} 0$' <<<"$edge_metrics" || fail "edge media counters missing"
curl -sf "http://127.0.0.1:$((base_port + 30))/healthz" | grep -q "ok registered" || fail "relay health"

# Control is where clients enter: WHIP/WHEP POSTs answer 307 to an edge, the same for a room.
whip_location="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -X POST "http://127.0.0.1:${base_port}/whip/lobby")"
whep_location="$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -X POST "http://127.0.0.1:${base_port}/whep/lobby")"
[[ "$whip_location" =~ ^307\ http://127\.0\.0\.1:([0-9]+)/whip/lobby$ ]] || fail "WHIP entry: $whip_location"
edge_port="${BASH_REMATCH[1]}"
[ "$edge_port" -ge $((base_port + 10)) ] && [ "$edge_port" -le $((base_port + 11)) ] || fail "WHIP sent to a non-edge: $whip_location"
[ "$whep_location" = "307 http://127.0.0.1:${edge_port}/whep/lobby" ] || fail "room split over edges: $whip_location vs $whep_location"

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

wait "$up_pid" || fail "cascade up exited non-zero"
grep -q "mesh was healthy (0 node processes exited uncleanly)" "$log" || fail "unclean shutdown"
echo "cascade up: 3 nodes registered, APIs answered, hostile datagrams counted ($unmatched unmatched, $stun_errors bad STUN), clean shutdown"
