#!/usr/bin/env bash
# A local Redis Cluster and a local Cassandra ring on loopback, without Docker (docs/operations.md,
# "Cluster run"; docs/scaling.md).
#
#   scripts/cluster.sh up [redis|cassandra]        start what is not running (a cluster is created once)
#   scripts/cluster.sh down [--kill] [redis|cassandra]  stop what this script started (--kill: SIGKILL)
#   scripts/cluster.sh status                      cluster_state, the masters, each Cassandra node
#   scripts/cluster.sh kill redis <port> | kill cassandra <n>    SIGKILL one node (chaos)
#   scripts/cluster.sh start redis <port> | start cassandra <n>  start one node again on its data
#   scripts/cluster.sh masters                     the ports of the Redis masters, one a line
#   scripts/cluster.sh env                         the service configuration for this cluster (sourceable)
#
# Redis Cluster: 3 masters + 3 replicas (redis-cli --cluster create --cluster-replicas 1) on
# 127.0.0.1:<base>..<base+5>, AOF on (appendfsync everysec), noeviction, cluster-node-timeout 3 s
# (a dead master's replica takes over in ~4-6 s), cluster-require-full-coverage no (the other
# masters' slots keep answering while one master is down). Data in <data>/redis/<port>.
# Cassandra ring: one datacenter (datacenter1, SimpleSnitch), 3 nodes with one token each, evenly
# spread, started one after the other through scripts/infra.sh (durable mode: commitlog_sync
# batch); node 1 is the seed. Each node listens on its own loopback address with the same CQL and
# storage ports (Linux answers every 127.x address without setup); JMX on 127.0.0.1:<jmx base + n>.
# Data in <data>/cassandra-<n>.
#
# Environment (defaults in brackets):
#   CLUSTER_DATA_DIR [<repo>/.data/cluster]
#   CLUSTER_REDIS_PORT_BASE [7001]   (six ports from there)
#   CLUSTER_CASSANDRA_HOSTS [127.0.0.1,127.0.0.2,127.0.0.3]   exactly three addresses
#   CLUSTER_CASSANDRA_PORT [9042]  CLUSTER_CASSANDRA_STORAGE_PORT [7000]  CLUSTER_CASSANDRA_JMX_BASE [7200]
#   CLUSTER_CASSANDRA_HEAP_OPTS [-Xms512M -Xmx512M -Xmn128M]   (per node; RSS ~0.7 GiB each)
#   CLUSTER_REDIS_NODE_TIMEOUT [3000] (ms)   CLUSTER_CASSANDRA_EXTRA_JVM_OPTS (more JVM options per node)
# A node waits up to ring_delay (10 s here; infra.sh's 100 ms suits a single node only) for its
# seed's answer to the gossip shadow round: with 100 ms a node joining on a loaded machine gives up.
# On a machine that already runs a single Cassandra on 127.0.0.1:9042/7000 (the shared dev
# machines), pick other addresses, e.g. CLUSTER_CASSANDRA_HOSTS=127.0.0.2,127.0.0.3,127.0.0.4.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT

LOG_TAG=cluster LOG_STDERR=1
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/lib.sh"

DATA_DIR=${CLUSTER_DATA_DIR:-$REPO_ROOT/.data/cluster}
mkdir -p -- "$DATA_DIR"
DATA_DIR=$(cd -- "$DATA_DIR" && pwd -P)
REDIS_BASE=${CLUSTER_REDIS_PORT_BASE:-7001}
REDIS_PORTS=()
for i in 0 1 2 3 4 5; do REDIS_PORTS+=($((REDIS_BASE + i))); done
IFS=, read -r -a CASS_HOSTS <<<"${CLUSTER_CASSANDRA_HOSTS:-127.0.0.1,127.0.0.2,127.0.0.3}"
((${#CASS_HOSTS[@]} == 3)) || die "CLUSTER_CASSANDRA_HOSTS must name three addresses"
CASS_PORT=${CLUSTER_CASSANDRA_PORT:-9042}
CASS_STORAGE_PORT=${CLUSTER_CASSANDRA_STORAGE_PORT:-7000}
CASS_JMX_BASE=${CLUSTER_CASSANDRA_JMX_BASE:-7200}
CASS_HEAP=${CLUSTER_CASSANDRA_HEAP_OPTS:--Xms512M -Xmx512M -Xmn128M}
NODE_TIMEOUT=${CLUSTER_REDIS_NODE_TIMEOUT:-3000}
# One token per node, a third of the Murmur3 ring apart.
CASS_TOKENS=(-9223372036854775808 -3074457345618258603 3074457345618258602)

command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed (Debian: apt-get install -y redis-server redis-tools)"
command -v redis-cli >/dev/null 2>&1 || die "redis-cli is not installed (Debian: apt-get install -y redis-tools)"

# --- Redis Cluster ---------------------------------------------------------------------------
rcli() { timeout 5 redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }
redis_alive() { [[ "$(rcli "$1" ping)" == PONG ]]; }
redis_pidfile() { printf '%s/redis/%s/redis.pid' "$DATA_DIR" "$1"; }
cluster_field() { rcli "$1" cluster info | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }

redis_start() { # port
  local port=$1 dir=$DATA_DIR/redis/$1 i
  redis_alive "$port" && return 0
  mkdir -p -- "$dir"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout "$NODE_TIMEOUT" \
    --cluster-require-full-coverage no --cluster-allow-reads-when-down no \
    --appendonly yes --appendfsync everysec --save "" --maxmemory-policy noeviction 9>&-
  for ((i = 0; i < 100; i++)); do
    redis_alive "$port" && return 0
    sleep 0.1
  done
  tail -n 20 "$dir/redis.log" >&2 || true
  die "redis-server on port $port did not answer PING within 10 s"
}

redis_up() {
  local start port hosts=() i state
  start=$(now)
  for port in "${REDIS_PORTS[@]}"; do redis_start "$port"; done
  if [[ "$(cluster_field "${REDIS_PORTS[0]}" cluster_slots_assigned)" == 0 ]]; then
    for port in "${REDIS_PORTS[@]}"; do hosts+=("127.0.0.1:$port"); done
    log "Redis: creating the cluster (3 masters, 3 replicas) on ports ${REDIS_PORTS[0]}-${REDIS_PORTS[5]}"
    redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$DATA_DIR/redis/create.log" 2>&1 ||
      {
        tail -n 20 "$DATA_DIR/redis/create.log" >&2
        die "redis-cli --cluster create failed"
      }
  fi
  for ((i = 0; i < 300; i++)); do
    state=ok
    for port in "${REDIS_PORTS[@]}"; do
      [[ "$(cluster_field "$port" cluster_state)" == ok ]] || state=""
    done
    [[ -n "$state" ]] && break
    sleep 0.1
  done
  [[ -n "$state" ]] || die "Redis Cluster not ok within 30 s ($(rcli "${REDIS_PORTS[0]}" cluster info | head -n 1))"
  log "Redis Cluster: ok on 127.0.0.1:${REDIS_PORTS[0]}-${REDIS_PORTS[5]} in $(since "$start") s (masters: $(masters | tr '\n' ' '))"
}

# The ports of the masters that answer, one a line.
masters() {
  local port
  for port in "${REDIS_PORTS[@]}"; do
    redis_alive "$port" || continue
    rcli "$port" cluster nodes | awk '$3 ~ /master/ && $3 !~ /fail/ && $8 == "connected" { split($2, a, "[:@]"); print a[2] }' | sort -u
    return 0
  done
}

redis_stop() { # port signal
  local port=$1 sig=$2 pidfile pid i
  pidfile=$(redis_pidfile "$port")
  [[ -f "$pidfile" ]] || return 0
  pid=$(tr -dc '0-9' <"$pidfile")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q redis-server "/proc/$pid/cmdline" 2>/dev/null; then
    if [[ "$sig" == KILL ]]; then
      kill -KILL "$pid"
    else
      rcli "$port" shutdown >/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f -- "$pidfile"
}

# --- Cassandra ring --------------------------------------------------------------------------
# scripts/infra.sh for node n (1..3): its own data dir, address and JMX port, the ring's seed.
node_infra() { # n args...
  local n=$1
  MESSENGER_DATA_DIR=$DATA_DIR/cassandra-$n \
    MESSENGER_CASSANDRA_HOST=${CASS_HOSTS[n - 1]} MESSENGER_CASSANDRA_PORT=$CASS_PORT \
    MESSENGER_CASSANDRA_STORAGE_PORT=$CASS_STORAGE_PORT MESSENGER_CASSANDRA_JMX_PORT=$((CASS_JMX_BASE + n)) \
    MESSENGER_CASSANDRA_SEEDS=${CASS_HOSTS[0]}:$CASS_STORAGE_PORT \
    MESSENGER_CASSANDRA_INITIAL_TOKEN=${CASS_TOKENS[n - 1]} \
    MESSENGER_CASSANDRA_CLUSTER_NAME=messenger-ring MESSENGER_CASSANDRA_AUTO_BOOTSTRAP=false \
    CASSANDRA_HEAP_OPTS=$CASS_HEAP \
    CASSANDRA_EXTRA_JVM_OPTS="-Dcassandra.ring_delay_ms=10000 ${CLUSTER_CASSANDRA_EXTRA_JVM_OPTS:-}" \
    "$SCRIPT_DIR/infra.sh" "${@:2}" cassandra
}

cassandra_start() { # n
  local n=$1 cp host
  host=${CASS_HOSTS[n - 1]}
  mkdir -p -- "$DATA_DIR/cassandra-$n"
  if [[ -z "$(cassandra_pid "$n")" ]] && (exec 3<>"/dev/tcp/$host/$CASS_PORT") 2>/dev/null; then
    die "$host:$CASS_PORT is taken by a Cassandra this script did not start (a single node?): give the
  ring other addresses, e.g. CLUSTER_CASSANDRA_HOSTS=127.0.0.2,127.0.0.3,127.0.0.4"
  fi
  # Resolve Cassandra's classpath once for the three nodes.
  cp=$DATA_DIR/cassandra-1/cassandra.classpath
  if ((n > 1)) && [[ -s "$cp" && ! -s "$DATA_DIR/cassandra-$n/cassandra.classpath" ]]; then
    cp -- "$cp" "$DATA_DIR/cassandra-$n/cassandra.classpath"
  fi
  node_infra "$n" up | sed -u "s/^\[infra\]/[cluster] node $n:/" >&2
}

cassandra_up() {
  local start n
  start=$(now)
  for n in 1 2 3; do cassandra_start "$n"; done
  log "Cassandra ring: 3 nodes on ${CASS_HOSTS[*]} (CQL $CASS_PORT) in $(since "$start") s"
}

cassandra_pid() { # n -> pid of a live node, or nothing
  local f=$DATA_DIR/cassandra-$1/cassandra.pid pid
  [[ -f "$f" ]] || return 0
  pid=$(tr -dc '0-9' <"$f")
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q CassandraDaemon "/proc/$pid/cmdline" 2>/dev/null; then
    printf '%s' "$pid"
  fi
}

cassandra_kill() { # n
  local n=$1 pid i
  pid=$(cassandra_pid "$n")
  [[ -n "$pid" ]] || return 0
  kill -KILL "$pid"
  for ((i = 0; i < 100; i++)); do
    [[ -d "/proc/$pid/task" ]] || break
    (($(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) <= 1)) && break
    sleep 0.1
  done
}

# --- commands --------------------------------------------------------------------------------
env_out() {
  local nodes=() port hosts=() h
  for port in "${REDIS_PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
  for h in "${CASS_HOSTS[@]}"; do hosts+=("$h:$CASS_PORT"); done
  printf 'export SPRING_DATA_REDIS_CLUSTER_NODES=%s\n' "$(
    IFS=,
    echo "${nodes[*]}"
  )"
  printf 'export SPRING_CASSANDRA_CONTACT_POINTS=%s\n' "$(
    IFS=,
    echo "${hosts[*]}"
  )"
  printf 'export SPRING_CASSANDRA_LOCAL_DATACENTER=datacenter1\n'
  printf "export MESSENGER_CASSANDRA_REPLICATION=\"{'class': 'NetworkTopologyStrategy', 'datacenter1': 3}\"\n"
}

status() {
  local port n pid rc=0
  if redis_alive "${REDIS_PORTS[0]}" || redis_alive "${REDIS_PORTS[1]}"; then
    for port in "${REDIS_PORTS[@]}"; do
      if redis_alive "$port"; then
        log "Redis  127.0.0.1:$port  $(rcli "$port" role | head -n 1)  cluster_state:$(cluster_field "$port" cluster_state)"
      else
        log "Redis  127.0.0.1:$port  DOWN"
        rc=3
      fi
    done
  else
    log "Redis Cluster: DOWN"
    rc=3
  fi
  for n in 1 2 3; do
    pid=$(cassandra_pid "$n")
    if (exec 3<>"/dev/tcp/${CASS_HOSTS[n - 1]}/$CASS_PORT") 2>/dev/null; then
      log "Cassandra node $n ${CASS_HOSTS[n - 1]}:$CASS_PORT UP${pid:+ (pid $pid)}"
    else
      log "Cassandra node $n ${CASS_HOSTS[n - 1]}:$CASS_PORT DOWN"
      rc=3
    fi
  done
  log "data dir $DATA_DIR"
  return "$rc"
}

COMMAND=${1:-}
shift || true
case "$COMMAND" in
  up)
    case "${1:-}" in
      redis) redis_up ;;
      cassandra) cassandra_up ;;
      "")
        redis_up
        cassandra_up
        ;;
      *) die "up [redis|cassandra]" ;;
    esac
    ;;
  down)
    sig=TERM
    if [[ "${1:-}" == --kill ]]; then
      sig=KILL
      shift
    fi
    if [[ "${1:-}" != redis ]]; then
      for n in 3 2 1; do
        if [[ $sig == KILL ]]; then
          cassandra_kill "$n"
          rm -f -- "$DATA_DIR/cassandra-$n/cassandra.pid" "$DATA_DIR/cassandra-$n/cassandra.started-by-infra"
        else
          node_infra "$n" down | sed -u "s/^\[infra\]/[cluster] node $n:/" >&2
        fi
      done
    fi
    if [[ "${1:-}" != cassandra ]]; then
      for port in "${REDIS_PORTS[@]}"; do redis_stop "$port" "$sig"; done
      log "Redis Cluster: stopped"
    fi
    ;;
  status) status ;;
  masters) masters ;;
  env) env_out ;;
  kill)
    case "${1:-}" in
      redis) redis_stop "${2:?port}" KILL ;;
      cassandra) cassandra_kill "${2:?node number}" ;;
      *) die "kill redis <port> | kill cassandra <n>" ;;
    esac
    log "killed $1 ${2}"
    ;;
  start)
    case "${1:-}" in
      redis) redis_start "${2:?port}" ;;
      cassandra) cassandra_start "${2:?node number}" ;;
      *) die "start redis <port> | start cassandra <n>" ;;
    esac
    ;;
  *)
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
