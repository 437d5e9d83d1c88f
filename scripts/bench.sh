#!/usr/bin/env bash
# Benchmarks the whole system on this machine: builds (unless SKIP_BUILD=1), starts a throwaway
# Redis for the run (with --cluster: a Redis Cluster and a Cassandra ring of the bench's own),
# starts both services with scripts/run.sh on their own ports and data dir,
# runs the load driver (bench module: io.messenger.bench.Bench) against them and against the raw
# stores, writes results.json, results.md and PNG plots, then stops everything it started.
#
#   ./scripts/bench.sh                     full run (~6 min), results in docs/benchmarks/latest/
#   ./scripts/bench.sh --smoke             every scenario (and groups), tiny (~1 min), results in .data/bench-smoke/out
#   ./scripts/bench.sh --label after       results in docs/benchmarks/after/
#   ./scripts/bench.sh --jfr               also record both services with JFR (settings=profile) and
#                                          write <out>/profile-<service>.txt (hottest frames)
#   ./scripts/bench.sh --only pull,page    a subset: pull, send, ack, page, longpoll, list; also memory (a
#                                          sample of both services' heap, RSS, PSS) and park (--park N
#                                          long-polls held while memory is sampled), docs/operations.md
#   ./scripts/bench.sh --only memory,park,pull,send,longpoll,memory --park 1000   the "Memory" figures
#   ./scripts/bench.sh --only largepoll --out DIR   the large-group long-poll case alone (1,000 parked
#                                          polls of a group of its own woken by one send; 5 warm-up
#                                          and 10 counted rounds, ~2 min; for A/B of the wake-up path)
#   ./scripts/bench.sh --only groups --label large-groups   large groups (read diffusion): sends to
#                                          groups of 10 to 100,000, Redis bytes per message, pulls
#                                          by large groups; builds its groups through the API (~6 min)
#   ./scripts/bench.sh --out DIR           another output directory
#   ./scripts/bench.sh --cluster [--only pull,send,page] [--smoke]   the same on a cluster of the
#                                          bench's own: `run.sh --cluster` on a Redis Cluster
#                                          (3 masters + 3 replicas, 127.0.0.1:17301-17306) and a
#                                          3-node Cassandra ring (127.0.0.31/.32/.33, CQL 9042, JMX
#                                          127.0.0.1:17401-17403, keyspace bench_cluster with
#                                          replication 3), data in <data>/cluster-run (wiped before,
#                                          and after a run that passed); the load driver's raw
#                                          baselines use the same cluster. Results in
#                                          docs/benchmarks/<label>-cluster/ (smoke: .data/bench-smoke/
#                                          out-cluster). Not with groups (one Redis's memory, keys).
#                                          The ring takes 1.5-3 min to start.
#
# Environment: BENCH_SYNC_PORT [18181] BENCH_HISTORY_PORT [18182] BENCH_REDIS_PORT [6393]
#   BENCH_KEYSPACE [bench; bench_cluster with --cluster] BENCH_DATA_DIR [<repo>/.data/bench]
#   MESSENGER_CASSANDRA_HOST/PORT [127.0.0.1:9042] (started by run.sh if nothing answers)
#   SKIP_BUILD=1  JAVA_OPTS (services)  BENCH_JAVA_OPTS [-Xmx1g -XX:+UseZGC] (the load driver's JVM)
#   MESSENGER_RATE_LIMIT_ENABLED [false]: the per-device / per-user rate limits are off, because a
#   few simulated devices pulling hundreds of times a second measure capacity, not the limits
#   With --cluster: BENCH_CLUSTER_REDIS_PORT_BASE [17301] BENCH_CLUSTER_CASSANDRA_HOSTS
#   [127.0.0.31,127.0.0.32,127.0.0.33] BENCH_CLUSTER_CASSANDRA_JMX_BASE [17400] (scripts/cluster.sh's
#   CLUSTER_DATA_DIR, CLUSTER_REDIS_PORT_BASE, CLUSTER_CASSANDRA_HOSTS and CLUSTER_CASSANDRA_JMX_BASE
#   are set from these, never taken from the caller: the bench kills its cluster with
#   `cluster.sh down --kill` before and after) KEEP_BENCH_DATA=1 (keep the cluster's data and
#   logs) CASSANDRA_START_TIMEOUT [400]
# Never point BENCH_REDIS_PORT at a Redis holding data you keep: the benchmark writes into it.
# shellcheck disable=SC2317 # cleanup() runs from a trap
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT
cd -- "$REPO_ROOT"

LOG_TAG=bench.sh
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/lib.sh"

SMOKE=0
JFR=0
LABEL=latest
OUT=""
ONLY=""
PARK=1000
CLUSTER=0
while (($# > 0)); do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --cluster) CLUSTER=1 ;;
    --jfr) JFR=1 ;;
    --label) LABEL=$2; shift ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --park) PARK=$2; shift ;;
    -h | --help) sed -n '2,45p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

# Smoke runs every scenario of a full run and also groups (tiny: 9-16 s of scenario time); a full run
# leaves groups out (it builds a group of 100,000 members: ask for it with --only groups). On a
# cluster groups never runs: it measures one Redis (INFO memory, DBSIZE, MEMORY USAGE).
if [[ -z "$ONLY" ]]; then
  ONLY=pull,send,ack,page,longpoll,list
  ((SMOKE && !CLUSTER)) && ONLY=$ONLY,groups
fi
if ((CLUSTER)) && [[ ",$ONLY," == *,groups,* ]]; then
  die "scenario groups measures one Redis (INFO memory, DBSIZE, MEMORY USAGE): not with --cluster"
fi

SYNC_PORT=${BENCH_SYNC_PORT:-18181}
HISTORY_PORT=${BENCH_HISTORY_PORT:-18182}
REDIS_PORT=${BENCH_REDIS_PORT:-6393}
if ((CLUSTER)); then
  KEYSPACE=${BENCH_KEYSPACE:-bench_cluster}
else
  KEYSPACE=${BENCH_KEYSPACE:-bench}
fi
DATA_DIR=${BENCH_DATA_DIR:-$REPO_ROOT/.data/bench}
if [[ -z "$OUT" ]]; then
  if ((SMOKE)); then
    OUT=$REPO_ROOT/.data/bench-smoke/out
    ((CLUSTER)) && OUT=$OUT-cluster
  else
    OUT=$REPO_ROOT/docs/benchmarks/$LABEL
    ((CLUSTER)) && OUT=$OUT-cluster
  fi
fi
mkdir -p -- "$DATA_DIR" "$OUT"
DATA_DIR=$(cd -- "$DATA_DIR" && pwd -P)
OUT=$(cd -- "$OUT" && pwd -P)
RUN_LOG=$DATA_DIR/run.log
if ((CLUSTER)); then
  # The cluster of the bench's own, as scripts/checks/50-cluster-chaos.sh makes its own: ports and
  # addresses nothing else uses, and a data dir of its own (cluster.sh finds the nodes it stops by
  # the pid files there, so `cluster.sh down --kill` below can only kill this cluster).
  for tool in redis-server redis-cli; do
    command -v "$tool" >/dev/null 2>&1 ||
      die "$tool is missing: the cluster's nodes are local processes (Debian: apt-get install -y redis-server redis-tools)"
  done
  CLUSTER_RUN_DIR=$DATA_DIR/cluster-run
  RUN_LOG=$CLUSTER_RUN_DIR/run.log
  export CLUSTER_DATA_DIR=$CLUSTER_RUN_DIR/cluster
  export CLUSTER_REDIS_PORT_BASE=${BENCH_CLUSTER_REDIS_PORT_BASE:-17301}
  export CLUSTER_CASSANDRA_HOSTS=${BENCH_CLUSTER_CASSANDRA_HOSTS:-127.0.0.31,127.0.0.32,127.0.0.33}
  export CLUSTER_CASSANDRA_JMX_BASE=${BENCH_CLUSTER_CASSANDRA_JMX_BASE:-17400}
  export CASSANDRA_START_TIMEOUT=${CASSANDRA_START_TIMEOUT:-400}
else
  export MESSENGER_CASSANDRA_HOST=${MESSENGER_CASSANDRA_HOST:-127.0.0.1}
  export MESSENGER_CASSANDRA_PORT=${MESSENGER_CASSANDRA_PORT:-9042}
fi

RUN_PID=""
REDIS_STARTED=0
cleanup() {
  local rc=$?
  if ((CLUSTER)); then
    cluster_run_stop "$SCRIPT_DIR/cluster.sh"
    if [[ "${KEEP_BENCH_DATA:-0}" != 1 && $rc == 0 ]]; then
      rm -rf -- "$CLUSTER_RUN_DIR"
    else
      log "the cluster's data and logs: $CLUSTER_RUN_DIR (run.sh output: $RUN_LOG)"
    fi
    return
  fi
  if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then
    log "stopping the services (run.sh pid $RUN_PID)"
    kill -TERM "$RUN_PID" 2>/dev/null || true
    wait "$RUN_PID" 2>/dev/null || true
  fi
  if ((REDIS_STARTED)); then
    MESSENGER_REDIS_PORT=$REDIS_PORT MESSENGER_DATA_DIR=$DATA_DIR/infra \
      "$SCRIPT_DIR/infra.sh" down --throwaway redis >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  log "building (./mvnw -B -q -DskipTests package -pl sync-service,history-service,bench -am)"
  ./mvnw -B -q -DskipTests package -pl sync-service,history-service,bench -am
fi
[[ -f bench/target/classpath.txt && -d bench/target/classes ]] ||
  die "bench module not built (run without SKIP_BUILD=1, or ./mvnw package -pl bench)"

if ((CLUSTER)); then
  # What a run of the bench that could not clean up may have left (this cluster's pid files only),
  # then the ports must be free: anything still there belongs to somebody else.
  "$SCRIPT_DIR/cluster.sh" down --kill >/dev/null 2>&1 || true
  for p in $(seq "$CLUSTER_REDIS_PORT_BASE" $((CLUSTER_REDIS_PORT_BASE + 5))); do
    port_free "$p" || die "port $p is taken (BENCH_CLUSTER_REDIS_PORT_BASE)"
  done
  for p in $(seq $((CLUSTER_CASSANDRA_JMX_BASE + 1)) $((CLUSTER_CASSANDRA_JMX_BASE + 3))); do
    port_free "$p" || die "port $p is taken (BENCH_CLUSTER_CASSANDRA_JMX_BASE)"
  done
  rm -rf -- "$CLUSTER_RUN_DIR"
  mkdir -p -- "$CLUSTER_RUN_DIR"
else
  # A Redis of the run's own: the benchmark fills inboxes with thousands of entries.
  if ! MESSENGER_REDIS_PORT=$REDIS_PORT MESSENGER_DATA_DIR=$DATA_DIR/infra \
    "$SCRIPT_DIR/infra.sh" status --throwaway redis >/dev/null 2>&1; then
    REDIS_STARTED=1
  else
    log "WARNING: a Redis already answers on $REDIS_PORT: the benchmark writes its inboxes into it"
  fi
  MESSENGER_REDIS_PORT=$REDIS_PORT MESSENGER_DATA_DIR=$DATA_DIR/infra \
    "$SCRIPT_DIR/infra.sh" up --throwaway redis
fi

JAVA_OPTS_RUN=${JAVA_OPTS:-}
# Smoke runs measure nothing: C1 only starts the services faster on a loaded machine.
((SMOKE)) && JAVA_OPTS_RUN="$JAVA_OPTS_RUN -XX:TieredStopAtLevel=1"
if ((JFR)); then
  rm -rf -- "$DATA_DIR/jfr"
  mkdir -p -- "$DATA_DIR/jfr"
  JAVA_OPTS_RUN="$JAVA_OPTS_RUN -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$DATA_DIR/jfr/"
fi

if ((CLUSTER)); then
  log "starting the cluster (Redis 127.0.0.1:$CLUSTER_REDIS_PORT_BASE-$((CLUSTER_REDIS_PORT_BASE + 5)), Cassandra $CLUSTER_CASSANDRA_HOSTS) and the services on $SYNC_PORT / $HISTORY_PORT (log $RUN_LOG)"
  SKIP_BUILD=1 HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-400} SYNC_PORT=$SYNC_PORT HISTORY_PORT=$HISTORY_PORT \
    MESSENGER_DATA_DIR=$CLUSTER_RUN_DIR MESSENGER_CASSANDRA_KEYSPACE=$KEYSPACE JAVA_OPTS=$JAVA_OPTS_RUN \
    MESSENGER_RATE_LIMIT_ENABLED=${MESSENGER_RATE_LIMIT_ENABLED:-false} \
    cluster_run_start "$SCRIPT_DIR/run.sh" "$RUN_LOG" --logging.level.root=WARN
else
  log "starting the services on $SYNC_PORT / $HISTORY_PORT (log $DATA_DIR/run.log)"
  HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-300} SKIP_BUILD=1 SYNC_PORT=$SYNC_PORT HISTORY_PORT=$HISTORY_PORT MESSENGER_DATA_DIR=$DATA_DIR \
    MESSENGER_REDIS_PORT=$REDIS_PORT MESSENGER_CASSANDRA_KEYSPACE=$KEYSPACE JAVA_OPTS=$JAVA_OPTS_RUN \
    MESSENGER_RATE_LIMIT_ENABLED=${MESSENGER_RATE_LIMIT_ENABLED:-false} \
    "$SCRIPT_DIR/run.sh" --logging.level.root=WARN >"$DATA_DIR/run.log" 2>&1 &
  RUN_PID=$!
  for ((i = 0; i < 1200; i++)); do
    grep -q '\] *ready' "$DATA_DIR/run.log" 2>/dev/null && break
    kill -0 "$RUN_PID" 2>/dev/null || { tail -n 40 "$DATA_DIR/run.log" >&2; die "run.sh exited"; }
    sleep 0.5
  done
  grep -q '\] *ready' "$DATA_DIR/run.log" || { tail -n 40 "$DATA_DIR/run.log" >&2; die "services not ready in 600 s"; }
fi
log "services ready; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if ((CLUSTER)); then
  # The cluster's nodes, contact points and datacenter as run.sh gave them to the services.
  CLUSTER_REDIS_NODES=""
  CLUSTER_CONTACT_POINTS=""
  CLUSTER_DATACENTER=""
  while IFS= read -r line; do
    line=${line#export }
    value=${line#*=}
    value=${value#\"}
    value=${value%\"}
    case "${line%%=*}" in
      SPRING_DATA_REDIS_CLUSTER_NODES) CLUSTER_REDIS_NODES=$value ;;
      SPRING_CASSANDRA_CONTACT_POINTS) CLUSTER_CONTACT_POINTS=$value ;;
      SPRING_CASSANDRA_LOCAL_DATACENTER) CLUSTER_DATACENTER=$value ;;
    esac
  done < <("$SCRIPT_DIR/cluster.sh" env)
  [[ -n "$CLUSTER_REDIS_NODES" && -n "$CLUSTER_CONTACT_POINTS" && -n "$CLUSTER_DATACENTER" ]] ||
    die "no cluster configuration from scripts/cluster.sh env"
  BENCH_ARGS=(--cluster --redis "$CLUSTER_REDIS_NODES" --cassandra "$CLUSTER_CONTACT_POINTS"
    --datacenter "$CLUSTER_DATACENTER")
else
  BENCH_ARGS=(--redis "127.0.0.1:$REDIS_PORT" --cassandra "$MESSENGER_CASSANDRA_HOST:$MESSENGER_CASSANDRA_PORT")
fi
BENCH_ARGS+=(--sync "http://127.0.0.1:$SYNC_PORT" --history "http://127.0.0.1:$HISTORY_PORT"
  --keyspace "$KEYSPACE" --repo "$REPO_ROOT" --out "$OUT" --label "$LABEL" --only "$ONLY"
  --park "$PARK")
((SMOKE)) && BENCH_ARGS+=(--smoke)
CP="bench/target/classes:$(cat bench/target/classpath.txt)"
set +e
read -r -a BENCH_JVM <<<"${BENCH_JAVA_OPTS:--Xmx1g -XX:+UseZGC}"
java "${BENCH_JVM[@]}" -Djava.awt.headless=true -cp "$CP" io.messenger.bench.Bench "${BENCH_ARGS[@]}"
rc=$?
set -e

if ((JFR)); then
  kill -TERM "$RUN_PID" 2>/dev/null || true
  wait "$RUN_PID" 2>/dev/null || true
  RUN_PID=""
  for f in "$DATA_DIR"/jfr/*.jfr; do
    [[ -f "$f" ]] || continue
    name=other
    if ! java -Xmx2g -cp "$CP" io.messenger.bench.JfrTop "$f" 40 >"$DATA_DIR/jfr/top.txt" 2>&1; then
      log "could not summarise $f: $(tail -n 3 "$DATA_DIR/jfr/top.txt")"
    else
      grep -q 'sync-service' "$DATA_DIR/jfr/top.txt" && name=sync-service
      grep -q 'history-service' "$DATA_DIR/jfr/top.txt" && name=history-service
      cp -- "$DATA_DIR/jfr/top.txt" "$OUT/profile-$name.txt"
      cp -- "$f" "$DATA_DIR/jfr/$name.jfr"
      log "JFR profile of $name: $OUT/profile-$name.txt (recording $DATA_DIR/jfr/$name.jfr)"
    fi
  done
fi
log "results: $OUT/results.md (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
exit "$rc"
