#!/usr/bin/env bash
# `cascade ctl` against a real control (CIDR table, operator token) and three edges in three
# regions, each a separate process on loopback: the node table names every node with its role
# and region; `place` answers the region's edge for a CIDR-mapped address and for a region
# hint, without placing anyone; a missing or wrong operator token is control's 401 message on
# stderr with a non-zero exit; with a publisher and a far viewer joined through control,
# `rooms` and `tree` show the room's origin and its link with bitrate and RTT.
set -euo pipefail
cascade="$1"
base="${2:-23100}"
dir="$(mktemp -d)"
pids=()
cleanup() {
  # TERM: a background job of a script ignores SIGINT, and standalone control has no handler for it.
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$dir"/*.log; do echo "---- $f (last 15 lines)"; tail -15 "$f"; done
  exit 1
}
control="http://127.0.0.1:$base"
token="ctl-test-operator-token-0123456789"
printf 'cidr,region\n127.0.0.2/32,us-east1\n127.0.0.3/32,asia-northeast1\n' >"$dir/cidr.csv"

"$cascade" control --set "http.listen=127.0.0.1:$base" --set "control.listen=127.0.0.1:$((base + 1))" \
  --set control.heartbeat_ms=200 --set "placement.cidr_table=$dir/cidr.csv" \
  --set "auth.operator_token=$token" >"$dir/control.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q "event=control.started" "$dir/control.log" && break
  sleep 0.1
done
fingerprint="$(grep -o 'fingerprint="sha-256 [0-9A-F:]*"' "$dir/control.log" | cut -d'"' -f2)"
[ -n "$fingerprint" ] || fail "control did not start"

n=0
for spec in edge-eu:europe-west1 edge-us:us-east1 edge-asia:asia-northeast1; do
  id="${spec%%:*}"
  region="${spec#*:}"
  "$cascade" edge --set "node.id=$id" --set "node.region=$region" \
    --set "http.listen=127.0.0.1:$((base + 10 + n))" --set "media.listen=127.0.0.1:$((base + 20 + n))" \
    --set "control.address=127.0.0.1:$((base + 1))" --set "control.fingerprint=$fingerprint" \
    >"$dir/$id.log" 2>&1 &
  pids+=($!)
  n=$((n + 1))
done

ctl() { "$cascade" ctl --control "$control" "$@"; }
export CASCADE_OPERATOR_TOKEN="$token"
for _ in $(seq 1 100); do
  [ "$(ctl nodes 2>/dev/null | grep -c ' yes ')" = 3 ] && break
  sleep 0.1
done
nodes="$(ctl nodes)" || fail "ctl nodes failed"
echo "$nodes"
grep -Eq '^ID +ROLE +REGION +ALIVE +SESSIONS +USERS +CPU +EGRESS +LAST HEARD$' <<<"$nodes" || fail "no table heading"
for row in 'edge-asia +edge +asia-northeast1 +yes' 'edge-eu +edge +europe-west1 +yes' 'edge-us +edge +us-east1 +yes'; do
  grep -Eq "^$row " <<<"$nodes" || fail "ctl nodes lacks '$row'"
done

# The operator token: missing or wrong is control's 401, reported with a non-zero exit.
unset CASCADE_OPERATOR_TOKEN
if ctl nodes >"$dir/out" 2>"$dir/err"; then fail "ctl nodes without a token succeeded"; fi
grep -q "control answered 401: operator API: missing credential" "$dir/err" || fail "no 401 message: $(cat "$dir/err")"
if ctl --token wrong-token-wrong-token nodes >"$dir/out" 2>"$dir/err"; then fail "a wrong token succeeded"; fi
grep -q "control answered 401" "$dir/err" || fail "no 401 for a wrong token: $(cat "$dir/err")"
export CASCADE_OPERATOR_TOKEN="$token"

# Placement of hypothetical clients: the CIDR table, then a region hint over it.
place="$(ctl place --room demo --ip 127.0.0.2)" || fail "ctl place failed"
echo "$place"
grep -Eq '^edge +edge-us$' <<<"$place" || fail "127.0.0.2 (us-east1 by CIDR) not placed at edge-us"
grep -Eq '^located by +cidr, address 127.0.0.2$' <<<"$place" || fail "not located by the CIDR table"
place="$(ctl place --room demo --ip 127.0.0.3 --role publish)" || fail "ctl place --role publish failed"
grep -Eq '^edge +edge-asia$' <<<"$place" || fail "127.0.0.3 (asia-northeast1 by CIDR) not placed at edge-asia"
place="$(ctl place --room demo --ip 127.0.0.2 --region europe-west1)" || fail "ctl place --region failed"
grep -Eq '^edge +edge-eu$' <<<"$place" || fail "the region hint did not win over the CIDR table"
grep -Eq '^located by +token' <<<"$place" || fail "not located by the token's hint"
if ctl place --room demo --ip 127.0.0.2 --policy nope 2>"$dir/err"; then fail "an unknown policy was accepted"; fi
grep -q "control answered 400: unknown policy 'nope'" "$dir/err" || fail "no 400 for a bad policy: $(cat "$dir/err")"
# Nothing was placed for real.
curl -sf "$control/metrics" | grep -E '^cascade_control_entry_placements_total' | grep -qv ' 0$' &&
  fail "a preview counted as a placement"

# A room with a tree: a publisher in europe-west1 and viewers in us-east1, all through control.
"$cascade" loadgen --control "$control" --room demo --publish --viewers 0 --duration 40 --region europe-west1 \
  >"$dir/publisher.log" 2>&1 &
pids+=($!)
sleep 1
"$cascade" loadgen --control "$control" --room demo --viewers 2 --duration 30 --join-timeout 15 --region us-east1 \
  >"$dir/viewers.log" 2>&1 &
pids+=($!)
tree=""
for _ in $(seq 1 60); do
  tree="$(ctl tree demo --interval 0.5 2>/dev/null || true)"
  grep -q 'edge-us  2 viewers .*bit/s' <<<"$tree" && break
  sleep 0.5
done
echo "$tree"
grep -q '^    edge-eu  1 publisher' <<<"$tree" || fail "the tree's origin is not edge-eu with its publisher"
grep -Eq '^    └─ edge-us  2 viewers  [0-9.]+ (k|M)bit/s  rtt [<0-9]+ ms  loss [0-9.]+%' <<<"$tree" ||
  fail "no link to edge-us with bitrate, RTT and loss"
rooms="$(ctl rooms)" || fail "ctl rooms failed"
echo "$rooms"
grep -Eq '^demo +edge-eu +1 +2 +edge-eu 0, edge-us 2$' <<<"$rooms" || fail "ctl rooms: demo's origin, link, viewers"
if ctl tree nosuch 2>"$dir/err"; then fail "a room that does not exist printed a tree"; fi
grep -q "no room 'nosuch'" "$dir/err" || fail "no message for an unknown room"
echo "PASS cascade ctl"
