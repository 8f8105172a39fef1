#!/usr/bin/env bash
# Unrecovered loss and NACK amplification across the relay tree at 1, 2 and 5 % loss per
# emulated inter-region link (each way): Chromium publishes at the origin edge and watches at
# three far edges of tests/data/tree/three-regions.toml. Prints the figures of each run.
#   scripts/bench-tree.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
ninja -C "$build" tools/cascade/cascade >/dev/null
for loss in 0.01 0.02 0.05; do
  echo "== ${loss} loss per emulated link"
  TREE_LOSS="$loss" node tests/browser/test_tree.mjs "$build/tools/cascade/cascade" tests/data/tree/three-regions.toml 19600 |
    grep -E '^(unrecovered_loss_pct|link_loss|nack_amplification|crowd_join)|join_to_first_frame|^(PASS|FAIL) test_tree' || true
done
