#!/usr/bin/env bash
# Relay benchmark: a release build, then `cascade relaybench`: control in this process, one
# origin edge and one relay as processes, N in-process children of the relay plus one child
# fed directly by the origin, a synthetic WHIP publisher. Two runs:
#   1. the relay fanning the stream out to N children: forwarded packets/s, the relay's CPU,
#      packets/s per core, CPU per forwarded packet, delivery to every child, hop latency;
#   2. the same with one child: the latency one relay hop adds when nothing else is going on.
#
#   scripts/bench-relay.sh [children=50]
#   BUILD_DIR=build-rb RATE=2000 DURATION=20 BASE_PORT=18700 scripts/bench-relay.sh 100
set -euo pipefail
cd "$(dirname "$0")/.."
children="${1:-50}"
build_dir="${BUILD_DIR:-build-release}"
rate="${RATE:-1000}"
duration="${DURATION:-10}"
base_port="${BASE_PORT:-18700}"

if [[ ! -f "$build_dir/build.ninja" ]]; then
  meson setup "$build_dir" -Dbuildtype=release >/dev/null
fi
ninja -C "$build_dir" -j"$(nproc)" tools/cascade/cascade >/dev/null
cascade="$build_dir/tools/cascade/cascade"

figures='^(relaybench: (machine|window|loadavg|ok)|relay_|delivery|hop_latency|bench_loop)'
status=0
for n in $(printf "%s\n" "$children" 1 | uniq); do
  echo "== bench-relay: build=$build_dir children=$n rate=${rate} packets/s duration=${duration}s"
  out="$("$cascade" relaybench --children "$n" --rate "$rate" --duration "$duration" \
    --base-port "$base_port" 2>&1)" || status=1
  grep -E "$figures" <<<"$out" || true
  [[ $status -eq 0 ]] || { echo "bench-relay: FAILED, full output:"; echo "$out"; exit 1; }
done
