#!/usr/bin/env bash
# The chaos test of the cluster run, self-contained:
#   1. `./scripts/run.sh --cluster` from the built jars, on a cluster of its own that cannot collide
#      with the single-node stores the other checks and tests use: Redis Cluster on
#      127.0.0.1:17101-17106, the Cassandra ring on 127.0.0.21/.22/.23 (CQL 9042 and storage 7000 on
#      those addresses, JMX on 127.0.0.1:17201-17203), data in <repo>/.data/checks-cluster (wiped
#      before and after), services on free ports with rate limits off and max-lag 4 s;
#   2. scripts/cluster-chaos.sh against it (SIGKILL of a Redis master and of Cassandra node 2, both
#      restarted; the assertions are in its header);
#   3. stops everything (SIGTERM to run.sh, then a SIGKILL sweep of the cluster's nodes).
# Takes 6-12 minutes on a busy 2-core machine (ring start ~80 s, a node's restart on its data
# 60-150 s). Environment: KEEP_CHECK_DATA=1 keeps the data dir and logs; CHAOS_* reach the driver.
# shellcheck disable=SC2317 # cleanup() runs from a trap
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$SCRIPT_DIR/..
[[ -f "$REPO_ROOT/scripts/run.sh" ]] || REPO_ROOT=$SCRIPT_DIR/../..
REPO_ROOT=$(cd -- "$REPO_ROOT" && pwd -P)
cd -- "$REPO_ROOT"

LOG_TAG=cluster-chaos
# shellcheck source=scripts/lib.sh
source "$REPO_ROOT/scripts/lib.sh"
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's redis-server and redis-tools (the cluster's nodes are local processes)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-tools >/dev/null
  fi
fi
for tool in curl jq redis-server redis-cli; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"
done

DATA_DIR=$REPO_ROOT/.data/checks-cluster
export CLUSTER_DATA_DIR=$DATA_DIR/cluster
export CLUSTER_REDIS_PORT_BASE=${CLUSTER_REDIS_PORT_BASE:-17101}
export CLUSTER_CASSANDRA_HOSTS=${CLUSTER_CASSANDRA_HOSTS:-127.0.0.21,127.0.0.22,127.0.0.23}
export CLUSTER_CASSANDRA_JMX_BASE=${CLUSTER_CASSANDRA_JMX_BASE:-17200}
export CASSANDRA_START_TIMEOUT=${CASSANDRA_START_TIMEOUT:-400}

SYNC_PORT=$(free_port 18881)
HISTORY_PORT=$(free_port $((SYNC_PORT + 1)))
for p in $(seq "$CLUSTER_REDIS_PORT_BASE" $((CLUSTER_REDIS_PORT_BASE + 5))); do
  port_free "$p" || fail "port $p is taken (CLUSTER_REDIS_PORT_BASE)"
done

RUN_PID=""
cleanup() {
  local rc=$?
  cluster_run_stop "$REPO_ROOT/scripts/cluster.sh"
  if ((rc != 0)); then
    log "logs: $DATA_DIR/logs (run.sh output: $DATA_DIR/run.log)"
    tail -n 30 "$DATA_DIR/run.log" 2>/dev/null | grep -v '^\[\(sync\|history\)-service\]' || true
  fi
  if [[ "${KEEP_CHECK_DATA:-0}" != 1 && $rc == 0 ]]; then
    rm -rf -- "$DATA_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$REPO_ROOT/scripts/cluster.sh" down --kill >/dev/null 2>&1 || true
rm -rf -- "$DATA_DIR"
mkdir -p -- "$DATA_DIR"
start=$(date +%s)
log "starting the cluster and both services (sync $SYNC_PORT, history $HISTORY_PORT)"
SKIP_BUILD=1 HEALTH_TIMEOUT=400 SYNC_PORT=$SYNC_PORT HISTORY_PORT=$HISTORY_PORT \
  MESSENGER_DATA_DIR=$DATA_DIR MESSENGER_RATE_LIMIT_ENABLED=false MESSENGER_DELIVERY_MAX_LAG=4s \
  MESSENGER_CASSANDRA_KEYSPACE=chaos \
  cluster_run_start "$REPO_ROOT/scripts/run.sh" "$DATA_DIR/run.log"
chaos_start=$(date +%s)
SYNC=http://127.0.0.1:$SYNC_PORT HIST=http://127.0.0.1:$HISTORY_PORT CHAOS_WORK=$DATA_DIR/chaos \
  "$REPO_ROOT/scripts/cluster-chaos.sh"
log "chaos run passed in $(($(date +%s) - chaos_start)) s; total $(($(date +%s) - start)) s"
