#!/usr/bin/env bash
# Relay CPU per forwarded packet of two (or more) cascade binaries, measured the same way:
# `cascade relaybench` runs interleaved (A B A B ...) so the machine's load drifts over both
# alike, and optionally a short run with the relay under callgrind, which counts the relay's
# instructions inside the measuring window (independent of the load).
#
#   tools/bench/relay-cpu-compare.sh before=/tmp/cascade-before after=/tmp/cascade-after
#   RUNS=4 CHILDREN=50 RATE=1000 DURATION=10 BASE_PORT=18800 tools/bench/relay-cpu-compare.sh ...
#   CALLGRIND=1 CHILDREN=10 RATE=300 DURATION=5 tools/bench/relay-cpu-compare.sh ...
#   MODE=edge VIEWERS=100 tools/bench/relay-cpu-compare.sh ...   # the edge's viewer path instead:
#       scripts/bench-edge.sh's `cascade up --edges 1` + `cascade loadgen --publish --viewers N`
#
# Callgrind mode: the relay runs under `valgrind --tool=callgrind --instr-atstart=yes`; when
# the bench prints "measuring for", the counters are zeroed (callgrind_control -z) and after
# the window's seconds dumped (callgrind_control -d); instructions per forwarded packet =
# the dump's Ir / (forwarded_pps x window). The outputs stay in $OUT (default /tmp/relay-cpu)
# for callgrind_annotate.
set -euo pipefail
runs="${RUNS:-3}"
children="${CHILDREN:-50}"
rate="${RATE:-1000}"
duration="${DURATION:-10}"
base_port="${BASE_PORT:-18800}"
out_dir="${OUT:-/tmp/relay-cpu}"
mkdir -p "$out_dir"
[[ $# -ge 1 ]] || { echo "usage: $0 label=/path/to/cascade ..." >&2; exit 2; }

figures='^(relaybench: (loadavg|window|NOTE)|relay_children|relay_datagrams|delivery)'

run_plain() {  # label binary run
  local label="$1" bin="$2" k="$3" log="$out_dir/$1-$3.log"
  echo "== $label run $k: $(uptime | sed 's/.*load/load/')"
  "$bin" relaybench --children "$children" --rate "$rate" --duration "$duration" \
    --base-port "$base_port" >"$log" 2>&1 || echo "   (relaybench exited non-zero, see $log)"
  grep -E "$figures" "$log" | sed 's/^/   /' || true
}

run_edge() {  # label binary run: CPU per packet forwarded to viewers (as scripts/bench-edge.sh)
  local label="$1" bin="$2" k="$3" log="$out_dir/$1-edge-$3.log" up_log="$out_dir/$1-edge-$3-up.log"
  echo "== $label edge run $k: $(uptime | sed 's/.*load/load/')"
  "$bin" up --edges 1 --relays 0 --base-port "$base_port" >"$up_log" 2>&1 &
  local up=$!
  for _ in $(seq 1 100); do
    grep -q "nodes registered" "$up_log" && break
    sleep 0.1
  done
  "$bin" loadgen --edge "http://127.0.0.1:$((base_port + 10))" --room bench --viewers "${VIEWERS:-100}" \
    --publish --duration "$duration" --token-from-edge >"$log" 2>&1 || echo "   (loadgen exited non-zero, see $log)"
  kill -INT "$up" 2>/dev/null || true
  wait "$up" 2>/dev/null || true
  tail -n 3 "$log" | sed 's/^/   /'
}

run_callgrind() {  # label binary
  local label="$1" bin="$2" log="$out_dir/$1-callgrind.log" cg="$out_dir/$1.callgrind"
  local wrapper="$out_dir/$1-node.sh"
  rm -f "$cg" "$cg".*
  cat >"$wrapper" <<EOF
#!/usr/bin/env bash
# relaybench's --node-exe: the relay under callgrind, the origin as it is.
if [[ "\$1" == relay ]]; then
  exec valgrind --tool=callgrind --callgrind-out-file="$cg" "$bin" "\$@"
fi
exec "$bin" "\$@"
EOF
  chmod +x "$wrapper"
  echo "== $label callgrind: $(uptime | sed 's/.*load/load/')"
  "$bin" relaybench --children "$children" --rate "$rate" --duration "$duration" --min-delivery 0 \
    --base-port "$base_port" --node-exe "$wrapper" >"$log" 2>&1 &
  local bench=$!
  local relay=""
  for _ in $(seq 1 1200); do
    relay="$(sed -n 's/^relaybench: started relay .* pid \([0-9]*\) .*/\1/p' "$log")"
    grep -q "measuring for" "$log" && break
    kill -0 "$bench" 2>/dev/null || break
    sleep 0.05
  done
  if grep -q "measuring for" "$log" && [[ -n "$relay" ]]; then
    callgrind_control -z "$relay" >/dev/null
    sleep "$duration"
    callgrind_control -d "$relay" >/dev/null
  fi
  wait "$bench" || echo "   (relaybench exited non-zero, see $log)"
  grep -E "$figures" "$log" | sed 's/^/   /' || true
  local dump="$cg.1" ir fwd  # the first dump: the one callgrind_control -d asked for
  ir="$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$dump" 2>/dev/null | head -1)"
  fwd="$(awk '/^relay_children/ { for (i = 1; i <= NF; ++i) if ($i ~ /^forwarded_pps=/) { split($i, a, "="); f = a[2] } }
              /^relaybench: window/ { w = $3 } END { if (f != "" && w != "") printf "%.0f", f * w }' "$log")"
  if [[ -n "$ir" && -n "$fwd" && "$fwd" != 0 ]]; then
    echo "   callgrind: $ir instructions in the window ($dump), $fwd packets forwarded:" \
      "$(awk -v i="$ir" -v f="$fwd" 'BEGIN { printf "%.0f", i / f }') instructions per forwarded packet"
  else
    echo "   callgrind: no figure (dump '${dump:-none}', forwarded '${fwd:-?}'), see $log"
  fi
}

for k in $(seq 1 "$runs"); do
  for pair in "$@"; do
    if [[ "${MODE:-relay}" == edge ]]; then
      run_edge "${pair%%=*}" "${pair#*=}" "$k"
    elif [[ "${CALLGRIND:-0}" == 1 ]]; then
      [[ $k -eq 1 ]] && run_callgrind "${pair%%=*}" "${pair#*=}"
    else
      run_plain "${pair%%=*}" "${pair#*=}" "$k"
    fi
  done
done
