#!/usr/bin/env bash
# Runs the whole thing locally: builds the services, makes Redis and Cassandra reachable
# (scripts/infra.sh up), starts history-service then sync-service, and stays in the foreground.
# Ctrl-C (or SIGTERM, or either service exiting) stops both services and whatever infra.sh started.
#
#   ./scripts/run.sh [extra Spring arguments for both services, e.g. --logging.level.io.messenger=DEBUG]
#   ./scripts/run.sh --cluster [...]   the same services on a local Redis Cluster (3 masters + 3
#       replicas, ports 7001-7006) and a 3-node Cassandra ring (scripts/cluster.sh, which this starts
#       if needed and, unless KEEP_CLUSTER=1, stops again at the end if it started it); the ring's
#       addresses: CLUSTER_CASSANDRA_HOSTS [127.0.0.1,127.0.0.2,127.0.0.3] (see scripts/cluster.sh)
#
# Environment (defaults in brackets); everything else in the environment reaches both services too,
# e.g. MESSENGER_INBOX_MAX_ENTRIES=20 ./scripts/run.sh
#   SYNC_PORT [8081]  HISTORY_PORT [8082]
#   SPRING_PROFILES_ACTIVE [unset: the services run with --spring.profiles.active=local]
#   MESSENGER_DATA_DIR [<repo>/.data]   (logs in <data>/logs/<service>.log)
#   MESSENGER_REDIS_HOST/PORT, MESSENGER_CASSANDRA_HOST/PORT (see scripts/infra.sh)
#   SKIP_BUILD=1 (use the jars already built)   JAVA_OPTS (JVM options for both services; ZGC
#   is the default collector unless JAVA_OPTS names another, e.g. -XX:+UseG1GC)
#   SYNC_HEAP_OPTS [-Xmx512m]  HISTORY_HEAP_OPTS [-Xmx384m]
#   (each service's heap, sized from measurements: docs/operations.md, "Memory"; JAVA_OPTS come
#   after them, so an -Xmx there wins for both; set one empty for the JVM's default heap, a quarter
#   of the machine's memory)
#   HEALTH_TIMEOUT [120] seconds per service
# shellcheck disable=SC2317 # cleanup() and stop_pid() run from traps
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT
cd -- "$REPO_ROOT"

LOG_TAG=run
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/lib.sh"

SYNC_PORT=${SYNC_PORT:-8081}
HISTORY_PORT=${HISTORY_PORT:-8082}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-120}
export MESSENGER_DATA_DIR=${MESSENGER_DATA_DIR:-$REPO_ROOT/.data}
mkdir -p -- "$MESSENGER_DATA_DIR"
MESSENGER_DATA_DIR=$(cd -- "$MESSENGER_DATA_DIR" && pwd -P)
LOG_DIR=$MESSENGER_DATA_DIR/logs
mkdir -p -- "$LOG_DIR"

# Where the services find their stores and each other (Spring's relaxed binding). A value the caller
# set explicitly wins.
export MESSENGER_REDIS_HOST=${MESSENGER_REDIS_HOST:-127.0.0.1}
export MESSENGER_REDIS_PORT=${MESSENGER_REDIS_PORT:-6379}
export MESSENGER_CASSANDRA_HOST=${MESSENGER_CASSANDRA_HOST:-127.0.0.1}
export MESSENGER_CASSANDRA_PORT=${MESSENGER_CASSANDRA_PORT:-9042}
export SPRING_DATA_REDIS_HOST=${SPRING_DATA_REDIS_HOST:-$MESSENGER_REDIS_HOST}
export SPRING_DATA_REDIS_PORT=${SPRING_DATA_REDIS_PORT:-$MESSENGER_REDIS_PORT}
export SPRING_CASSANDRA_CONTACT_POINTS=${SPRING_CASSANDRA_CONTACT_POINTS:-$MESSENGER_CASSANDRA_HOST:$MESSENGER_CASSANDRA_PORT}
export SPRING_CASSANDRA_LOCAL_DATACENTER=${SPRING_CASSANDRA_LOCAL_DATACENTER:-datacenter1}
export MESSENGER_HISTORY_BASE_URL=${MESSENGER_HISTORY_BASE_URL:-http://127.0.0.1:$HISTORY_PORT}

JAVA_BIN=java
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA_BIN=$JAVA_HOME/bin/java
fi
read -r -a JAVA_OPTS_ARR <<<"${JAVA_OPTS:-}"
# The services' garbage collector: ZGC (pauses well under a millisecond; with G1 the sync-service's
# young pauses were 5-40 ms on these 2-core machines and set the pull p99, see
# docs/benchmarks/README.md), unless JAVA_OPTS names a collector itself.
GC_OPTS=(-XX:+UseZGC)
[[ "${JAVA_OPTS:-}" =~ -XX:\+Use[A-Za-z0-9]*GC ]] && GC_OPTS=()
# Each service's heap (docs/operations.md, "Memory": measured with 1,000 parked long-polls and the
# benchmark's pull and send runs). An OutOfMemoryError stops the service (and so this script)
# instead of leaving it half-working, as in the Dockerfile.
GC_OPTS+=(-XX:+ExitOnOutOfMemoryError)
read -r -a SYNC_HEAP_ARR <<<"${SYNC_HEAP_OPTS--Xmx512m}"
read -r -a HISTORY_HEAP_ARR <<<"${HISTORY_HEAP_OPTS--Xmx384m}"
SPRING_ARGS=()
[[ -n "${SPRING_PROFILES_ACTIVE:-}" ]] || SPRING_ARGS+=(--spring.profiles.active=local)
CLUSTER=0
for arg in "$@"; do
  if [[ "$arg" == --cluster ]]; then
    CLUSTER=1
  else
    SPRING_ARGS+=("$arg")
  fi
done

HISTORY_PID=""
SYNC_PID=""
TAIL_PIDS=()
INFRA_DOWN=() # the components infra.sh had to start (and so stops again at the end)
CLEANED=0

stop_pid() { # pid name
  local pid=$1 name=$2 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  [[ $CLEANED -eq 0 ]] || return 0
  CLEANED=1
  trap '' INT TERM
  stop_pid "$SYNC_PID" sync-service
  stop_pid "$HISTORY_PID" history-service
  local pid
  for pid in "${TAIL_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((${#INFRA_DOWN[@]} > 0)); then
    "$SCRIPT_DIR/infra.sh" down "${INFRA_DOWN[@]}" || true
  fi
  if [[ "${CLUSTER_STARTED:-0}" == 1 ]]; then
    "$SCRIPT_DIR/cluster.sh" down || true
  fi
  log "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build ----------------------------------------------------------------------------------
find_jar() { # module -> path of its runnable jar
  local module=$1 f
  local -a found=()
  shopt -s nullglob
  for f in "$module"/target/"$module"-*-exec.jar; do
    [[ "$f" == *-sources* ]] || found+=("$f")
  done
  shopt -u nullglob
  ((${#found[@]} > 0)) || return 1
  local newest=${found[0]}
  for f in "${found[@]}"; do # the newest one if several versions are lying around
    [[ "$f" -nt "$newest" ]] && newest=$f
  done
  printf '%s\n' "$newest"
}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  start=$(now)
  log "building (./mvnw -B -q -DskipTests package)"
  ./mvnw -B -q -DskipTests package
  log "built in $(since "$start") s"
fi
HISTORY_JAR=$(find_jar history-service) || die "no history-service/target/history-service-*-exec.jar (build failed?)"
SYNC_JAR=$(find_jar sync-service) || die "no sync-service/target/sync-service-*-exec.jar (build failed?)"

# --- infrastructure -------------------------------------------------------------------------
CLUSTER_STARTED=0
if [[ $CLUSTER -eq 1 ]]; then
  export CLUSTER_DATA_DIR=${CLUSTER_DATA_DIR:-$MESSENGER_DATA_DIR/cluster}
  "$SCRIPT_DIR/cluster.sh" status >/dev/null 2>&1 || CLUSTER_STARTED=1
  [[ "${KEEP_CLUSTER:-0}" != 1 ]] || CLUSTER_STARTED=0
  start=$(now)
  "$SCRIPT_DIR/cluster.sh" up
  log "cluster up in $(since "$start") s"
  # The cluster's configuration (Redis Cluster nodes, the ring's contact points, replication 3).
  while IFS= read -r line; do
    line=${line#export }
    name=${line%%=*}
    value=${line#*=}
    value=${value#\"}
    value=${value%\"}
    export "$name=$value"
  done < <("$SCRIPT_DIR/cluster.sh" env)
else
  for component in redis cassandra; do
    if ! "$SCRIPT_DIR/infra.sh" status "$component" >/dev/null 2>&1; then
      INFRA_DOWN+=("$component")
    fi
  done
  "$SCRIPT_DIR/infra.sh" up
fi

# --- services -------------------------------------------------------------------------------
start_service() { # name jar port heap-options... -> sets LAST_PID
  local name=$1 jar=$2 port=$3 logfile=$LOG_DIR/$1.log
  local -a heap=("${@:4}")
  [[ ! -f "$logfile" ]] || mv -f -- "$logfile" "$logfile.1"
  : >"$logfile"
  log "starting $name on port $port ($jar, ${heap[*]:-default heap}, log $logfile)"
  "$JAVA_BIN" "${GC_OPTS[@]}" "${heap[@]}" "${JAVA_OPTS_ARR[@]}" -jar "$jar" --server.port="$port" "${SPRING_ARGS[@]}" \
    >>"$logfile" 2>&1 </dev/null &
  LAST_PID=$!
  tail -n +1 -F "$logfile" 2>/dev/null > >(sed -u "s/^/[$name] /") &
  TAIL_PIDS+=("$!")
}

wait_healthy() { # name port pid
  local name=$1 port=$2 pid=$3 url start body
  url="http://127.0.0.1:$port/actuator/health"
  start=$(now)
  while :; do
    body=$(curl -fsS -m 2 "$url" 2>/dev/null || true)
    if grep -Eq '"status" *: *"UP"' <<<"$body"; then
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      die "$name exited during start-up (log: $LOG_DIR/$name.log)"
    fi
    if older_than "$start" "$HEALTH_TIMEOUT"; then
      die "$name not UP at $url within $HEALTH_TIMEOUT s (last answer: ${body:-none}; log: $LOG_DIR/$name.log)"
    fi
    sleep 0.5
  done
  log "$name UP in $(since "$start") s"
}

LAST_PID=""
start_service history-service "$HISTORY_JAR" "$HISTORY_PORT" "${HISTORY_HEAP_ARR[@]}"
HISTORY_PID=$LAST_PID
wait_healthy history-service "$HISTORY_PORT" "$HISTORY_PID"

start_service sync-service "$SYNC_JAR" "$SYNC_PORT" "${SYNC_HEAP_ARR[@]}"
SYNC_PID=$LAST_PID
wait_healthy sync-service "$SYNC_PORT" "$SYNC_PID"

cat <<EOF
[run] ===================================================================
[run]  ready
[run]  sync-service     http://127.0.0.1:$SYNC_PORT   (health /actuator/health, API /v3/api-docs)
[run]  history-service  http://127.0.0.1:$HISTORY_PORT   (health /actuator/health, API /v3/api-docs)
[run]  metrics          /actuator/prometheus on both
[run]  $(if [[ $CLUSTER -eq 1 ]]; then
  printf 'Redis Cluster %s\n[run]  Cassandra ring %s (%s)' "$SPRING_DATA_REDIS_CLUSTER_NODES" \
    "$SPRING_CASSANDRA_CONTACT_POINTS" "$MESSENGER_CASSANDRA_REPLICATION"
else
  printf 'Redis %s   Cassandra %s' "$MESSENGER_REDIS_HOST:$MESSENGER_REDIS_PORT" "$MESSENGER_CASSANDRA_HOST:$MESSENGER_CASSANDRA_PORT"
fi)
[run]  logs             $LOG_DIR/{history,sync}-service.log
[run]  Ctrl-C stops everything this script started
[run] ===================================================================
EOF

set +e
wait -n "$HISTORY_PID" "$SYNC_PID"
rc=$?
set -e
log "a service exited (status $rc): shutting down"
((rc != 0)) || rc=1 # a service is not supposed to stop on its own
exit "$rc"
