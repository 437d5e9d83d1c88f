#!/usr/bin/env bash
# Benchmark smoke test: scripts/bench.sh --smoke runs every scenario (pull, send, ack storm, history
# pages, long-poll, large groups) for a moment against both services and the raw stores, from the
# jars the build just made. Asserts only that each scenario ran and produced numbers, never a speed: the machine
# running CI is shared and noisy.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
cd -- "$REPO_ROOT"
LOG_TAG=bench-smoke
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/../lib.sh"

OUT=$REPO_ROOT/.data/bench-smoke/out
rm -rf -- "$OUT"
# A Redis port nothing listens on yet (the benchmark starts its own throwaway Redis there): never
# write benchmark data into somebody else's Redis.
if [[ -z "${BENCH_REDIS_PORT:-}" ]]; then
  for port in $(seq 6395 6430); do
    if port_free "$port"; then
      BENCH_REDIS_PORT=$port
      break
    fi
  done
fi
[[ -n "${BENCH_REDIS_PORT:-}" ]] || { echo "[bench-smoke] no free Redis port in 6395-6430" >&2; exit 1; }
SKIP_BUILD=${SKIP_BUILD:-1} BENCH_SYNC_PORT=${BENCH_SYNC_PORT:-18281} \
  BENCH_HISTORY_PORT=${BENCH_HISTORY_PORT:-18282} BENCH_REDIS_PORT=$BENCH_REDIS_PORT \
  BENCH_DATA_DIR=$REPO_ROOT/.data/bench-smoke "$REPO_ROOT/scripts/bench.sh" --smoke --out "$OUT"

results=$OUT/results.json
[[ -s "$results" ]] || { echo "[bench-smoke] no $results" >&2; exit 1; }
for scenario in pull send ack page longpoll groups; do
  ops=$(jq --arg s "$scenario" '[.results[] | select(.scenario == $s) | .ops] | add // 0' "$results")
  p50=$(jq --arg s "$scenario" '[.results[] | select(.scenario == $s and .ops > 0) | .p50Ms] | first' "$results")
  if [[ "$ops" -le 0 || "$p50" == null ]]; then
    echo "[bench-smoke] scenario $scenario produced no numbers (ops $ops)" >&2
    exit 1
  fi
  echo "[bench-smoke] $scenario: $ops successful calls, first p50 $p50 ms"
done
for plot in pull-latency-by-depth pull-throughput-by-concurrency page-latency-by-length \
  send-latency-by-group-size longpoll-wakeup; do
  [[ -s "$OUT/$plot.png" ]] || { echo "[bench-smoke] plot $plot.png missing" >&2; exit 1; }
done
echo "[bench-smoke] every scenario ran; results and plots in $OUT"
