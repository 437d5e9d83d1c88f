#!/usr/bin/env bash
# Redis and Cassandra for local runs and tests, without Docker.
#
#   scripts/infra.sh up [--throwaway] [redis|cassandra]     make them reachable (start what is missing)
#   scripts/infra.sh down [--throwaway] [redis|cassandra]   stop only what `up` started (pid files)
#   scripts/infra.sh status [--throwaway] [redis|cassandra] print what is reachable (exit 3 if not)
#
# Without a component name, both. `down` never touches a server that `up` found already running.
#
# A Redis that answers PING, or a Cassandra whose CQL port accepts connections, at the configured
# host/port is used as it is and never stopped by `down`. Otherwise `up` starts a real redis-server
# and a real Cassandra 5.0 (org.apache.cassandra:cassandra-all from Maven Central, as a separate
# JVM). --throwaway is for tests: its own data dir (default .data/test, wiped on each start),
# no Redis persistence, Cassandra with -Dcassandra.unsafesystem=true and SIGKILL on `down`.
#
# Environment (defaults in brackets):
#   MESSENGER_REDIS_HOST [127.0.0.1]      MESSENGER_REDIS_PORT [6379]
#   MESSENGER_CASSANDRA_HOST [127.0.0.1]  MESSENGER_CASSANDRA_PORT [9042]
#   MESSENGER_CASSANDRA_STORAGE_PORT [7000]  MESSENGER_CASSANDRA_JMX_PORT [7199]
#   For one node of a ring (scripts/cluster.sh sets these; a node listens on MESSENGER_CASSANDRA_HOST,
#   any 127.x address): MESSENGER_CASSANDRA_SEEDS [<host>:<storage port>],
#   MESSENGER_CASSANDRA_INITIAL_TOKEN [0], MESSENGER_CASSANDRA_CLUSTER_NAME [messenger-local],
#   MESSENGER_CASSANDRA_AUTO_BOOTSTRAP [unset: Cassandra's default]
#   CASSANDRA_EXTRA_JVM_OPTS (appended last, so they win, e.g. -Dcassandra.ring_delay_ms=10000)
#   MESSENGER_DATA_DIR [<repo>/.data, or <repo>/.data/test with --throwaway]
#   CASSANDRA_VERSION [5.0.6]   CASSANDRA_START_TIMEOUT [180] (seconds)
#   CASSANDRA_JAVA_HOME (a Java 17 or 11; default: JAVA_HOME if it is one, else /usr/lib/jvm/*17*)
#   CASSANDRA_HEAP_OPTS [-Xms256M -Xmx1G -Xmn200M]
#   MVN (the Maven used to resolve Cassandra's classpath; default: mvn on PATH, else ./mvnw)
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT

LOG_TAG=infra
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/lib.sh"

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------------------------
# arguments and configuration
# ---------------------------------------------------------------------------------------------
COMMAND=""
THROWAWAY=0
WANT_REDIS=0
WANT_CASSANDRA=0
for arg in "$@"; do
  case "$arg" in
    up | down | status) COMMAND=$arg ;;
    --throwaway) THROWAWAY=1 ;;
    redis) WANT_REDIS=1 ;;
    cassandra) WANT_CASSANDRA=1 ;;
    -h | --help | help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $arg"
      ;;
  esac
done
[[ -n "$COMMAND" ]] || {
  usage >&2
  exit 2
}
if [[ $WANT_REDIS -eq 0 && $WANT_CASSANDRA -eq 0 ]]; then
  WANT_REDIS=1
  WANT_CASSANDRA=1
fi

REDIS_HOST=${MESSENGER_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${MESSENGER_REDIS_PORT:-6379}
CASS_HOST=${MESSENGER_CASSANDRA_HOST:-127.0.0.1}
CASS_PORT=${MESSENGER_CASSANDRA_PORT:-9042}
CASS_STORAGE_PORT=${MESSENGER_CASSANDRA_STORAGE_PORT:-7000}
CASS_JMX_PORT=${MESSENGER_CASSANDRA_JMX_PORT:-7199}
CASS_LISTEN=$CASS_HOST
[[ "$CASS_LISTEN" != localhost ]] || CASS_LISTEN=127.0.0.1
CASS_SEEDS=${MESSENGER_CASSANDRA_SEEDS:-$CASS_LISTEN:$CASS_STORAGE_PORT}
CASS_INITIAL_TOKEN=${MESSENGER_CASSANDRA_INITIAL_TOKEN:-0}
CASS_CLUSTER_NAME=${MESSENGER_CASSANDRA_CLUSTER_NAME:-messenger-local}
CASS_AUTO_BOOTSTRAP=${MESSENGER_CASSANDRA_AUTO_BOOTSTRAP:-}
CASSANDRA_VERSION=${CASSANDRA_VERSION:-5.0.6}
CASSANDRA_START_TIMEOUT=${CASSANDRA_START_TIMEOUT:-180}
read -r -a CASSANDRA_HEAP <<<"${CASSANDRA_HEAP_OPTS:--Xms256M -Xmx1G -Xmn200M}"

if [[ $THROWAWAY -eq 1 ]]; then
  DATA_DIR=${MESSENGER_DATA_DIR:-$REPO_ROOT/.data/test}
else
  DATA_DIR=${MESSENGER_DATA_DIR:-$REPO_ROOT/.data}
fi
mkdir -p -- "$DATA_DIR"
DATA_DIR=$(cd -- "$DATA_DIR" && pwd -P)
readonly DATA_DIR

REDIS_DIR=$DATA_DIR/redis
REDIS_PIDFILE=$REDIS_DIR/redis.pid
REDIS_STATE=$REDIS_DIR/started-by-infra # holds the port of the redis-server that `up` started
CASS_DIR=$DATA_DIR/cassandra
CASS_PIDFILE=$DATA_DIR/cassandra.pid
CASS_STATE=$DATA_DIR/cassandra.started-by-infra
CASS_CLASSPATH_FILE=$DATA_DIR/cassandra.classpath
CASS_OUT=$CASS_DIR/cassandra.out

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
is_loopback() {
  case "$1" in
    127.* | localhost | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

port_open() { # host port
  # shellcheck disable=SC2016 # $1/$2 expand in the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

redis_ping() { # host port -> 0 if it answers PONG
  local reply
  if command -v redis-cli >/dev/null 2>&1; then
    reply=$(timeout 3 redis-cli -h "$1" -p "$2" ping 2>/dev/null) || return 1
    [[ "$reply" == PONG ]]
  else
    # shellcheck disable=SC2016 # $1/$2 expand in the inner bash
    reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1
      printf "PING\r\n" >&3
      IFS= read -r line <&3 && printf "%s" "$line"' _ "$1" "$2" 2>/dev/null) || return 1
    [[ "$reply" == +PONG* ]]
  fi
}

# pid_alive PIDFILE PATTERN: the pid in the file is a live process whose command line contains PATTERN
# (guards against a stale pid file whose number was reused by some other process).
pid_alive() {
  local pidfile=$1 pattern=$2 pid state
  [[ -f "$pidfile" ]] || return 1
  pid=$(tr -dc '0-9' <"$pidfile")
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
  [[ "$state" != Z ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"
}

read_pid() { tr -dc '0-9' <"$1"; }

# gone PID: no such process, or a zombie whose threads have all exited (its sockets are closed then;
# a killed JVM's main thread turns Z while other threads still hold the listening sockets).
gone() {
  local pid=$1 state tasks
  kill -0 "$pid" 2>/dev/null || return 0
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
  [[ "$state" == Z ]] || return 1
  tasks=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  ((tasks <= 1))
}

# wait_gone PID SECONDS -> 0 once the process is gone
wait_gone() {
  local pid=$1 limit=$2 start
  start=$(now)
  until gone "$pid"; do
    if awk -v s="$(since "$start")" -v l="$limit" 'BEGIN { exit !(s >= l) }'; then
      return 1
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------
ensure_redis_server_binary() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "redis-server is not installed: installing Debian's redis-server (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq redis-server redis-tools >/dev/null
    command -v redis-server >/dev/null 2>&1 || die "apt-get did not provide redis-server"
  else
    die "no Redis answers on $REDIS_HOST:$REDIS_PORT and redis-server is not installed.
  Install it (Debian: sudo apt-get install -y redis-server) or start a Redis and set
  MESSENGER_REDIS_HOST / MESSENGER_REDIS_PORT."
  fi
}

redis_up() {
  local start
  start=$(now)
  if redis_ping "$REDIS_HOST" "$REDIS_PORT"; then
    if pid_alive "$REDIS_PIDFILE" redis-server && [[ -f "$REDIS_STATE" ]]; then
      log "Redis: $REDIS_HOST:$REDIS_PORT answers PING (started by infra.sh, pid $(read_pid "$REDIS_PIDFILE"))"
    else
      log "Redis: $REDIS_HOST:$REDIS_PORT already answers PING: using it (infra.sh will not stop it)"
    fi
    return 0
  fi
  if port_open "$REDIS_HOST" "$REDIS_PORT"; then
    die "something listens on $REDIS_HOST:$REDIS_PORT but does not answer PING with PONG
  (a Redis with a password, or not a Redis). Free the port or point MESSENGER_REDIS_PORT elsewhere."
  fi
  is_loopback "$REDIS_HOST" ||
    die "no Redis answers on $REDIS_HOST:$REDIS_PORT, and infra.sh only starts servers on 127.0.0.1"
  ensure_redis_server_binary

  mkdir -p -- "$REDIS_DIR"
  local -a persistence
  if [[ $THROWAWAY -eq 1 ]]; then
    rm -f -- "$REDIS_DIR"/*.rdb
    rm -rf -- "$REDIS_DIR/appendonlydir"
    persistence=(--save "" --appendonly no)
  else
    # AOF: an acknowledged inbox entry survives a restart; noeviction: never drop inbox keys silently.
    persistence=(--appendonly yes --appendfsync everysec --maxmemory-policy noeviction)
  fi
  log "Redis: nothing answers on $REDIS_HOST:$REDIS_PORT: starting redis-server ($(redis-server --version | awk '{ print $3 }'), data in $REDIS_DIR)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$REDIS_DIR" --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_DIR/redis.log" \
    "${persistence[@]}" 9>&-
  printf '%s\n' "$REDIS_PORT" >"$REDIS_STATE"
  local i
  for ((i = 0; i < 100; i++)); do
    if redis_ping 127.0.0.1 "$REDIS_PORT"; then
      log "Redis: ready on 127.0.0.1:$REDIS_PORT in $(since "$start") s (pid $(read_pid "$REDIS_PIDFILE" 2>/dev/null || echo '?'))"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$REDIS_DIR/redis.log" >&2 2>/dev/null || true
  die "redis-server did not answer PING on 127.0.0.1:$REDIS_PORT within 10 s (log: $REDIS_DIR/redis.log)"
}

redis_down() {
  if [[ ! -f "$REDIS_STATE" ]]; then
    log "Redis: not started by infra.sh in $DATA_DIR: leaving it alone"
    return 0
  fi
  local port pid
  port=$(tr -dc '0-9' <"$REDIS_STATE")
  if ! pid_alive "$REDIS_PIDFILE" redis-server; then
    log "Redis: the redis-server infra.sh started (port $port) is no longer running"
    rm -f -- "$REDIS_STATE" "$REDIS_PIDFILE"
    return 0
  fi
  pid=$(read_pid "$REDIS_PIDFILE")
  log "Redis: stopping redis-server on port $port (pid $pid)"
  if command -v redis-cli >/dev/null 2>&1; then
    if [[ $THROWAWAY -eq 1 ]]; then
      redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    else
      redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true
    fi
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  if ! wait_gone "$pid" 10; then
    warn "redis-server (pid $pid) did not stop within 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || true
  fi
  rm -f -- "$REDIS_STATE" "$REDIS_PIDFILE"
}

# ---------------------------------------------------------------------------------------------
# Cassandra
# ---------------------------------------------------------------------------------------------
java_feature_version() { # path-to-java -> 17, 11, 25 ...
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ { sub(/^1\./, "", $2); print $2; exit }'
}

# Cassandra 5.0 runs on Java 11 or 17 (not 21+: no Security Manager).
cassandra_java() {
  local -a candidates=()
  local c v
  [[ -n "${CASSANDRA_JAVA_HOME:-}" ]] && candidates+=("$CASSANDRA_JAVA_HOME/bin/java")
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  for c in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/*17* /usr/lib/jvm/*11*; do
    [[ -x "$c/bin/java" ]] && candidates+=("$c/bin/java")
  done
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    v=$(java_feature_version "$c")
    if [[ "$v" == 17 || "$v" == 11 ]]; then
      printf '%s' "$c"
      return 0
    fi
  done
  die "Cassandra $CASSANDRA_VERSION needs Java 17 (or 11); none found. Set CASSANDRA_JAVA_HOME."
}

maven_cmd() {
  if [[ -n "${MVN:-}" ]]; then
    printf '%s' "$MVN"
  elif command -v mvn >/dev/null 2>&1; then
    command -v mvn
  else
    printf '%s' "$REPO_ROOT/mvnw"
  fi
}

# Resolves cassandra-all's runtime classpath once and caches it in the data dir.
cassandra_classpath() {
  local pom=$REPO_ROOT/infra/cassandra/pom.xml cp first start
  if [[ -s "$CASS_CLASSPATH_FILE" && "$CASS_CLASSPATH_FILE" -nt "$pom" ]]; then
    cp=$(<"$CASS_CLASSPATH_FILE")
    first=$(tr ':' '\n' <<<"$cp" | grep -m1 "/cassandra-all-$CASSANDRA_VERSION.jar" || true)
    if [[ -n "$first" && -f "$first" ]]; then
      printf '%s' "$cp"
      return 0
    fi
  fi
  start=$(now)
  log "Cassandra: resolving org.apache.cassandra:cassandra-all:$CASSANDRA_VERSION from Maven (first time downloads ~60 MB)" >&2
  rm -f -- "$CASS_CLASSPATH_FILE"
  if ! "$(maven_cmd)" -q -B -Dstyle.color=never -f "$pom" -Dcassandra.version="$CASSANDRA_VERSION" \
    dependency:build-classpath -Dmdep.outputFile="$CASS_CLASSPATH_FILE.tmp" \
    >"$CASS_CLASSPATH_FILE.log" 2>&1 9>&-; then
    tail -n 40 "$CASS_CLASSPATH_FILE.log" >&2
    die "could not resolve cassandra-all:$CASSANDRA_VERSION (Maven's output: $CASS_CLASSPATH_FILE.log)"
  fi
  mv -f -- "$CASS_CLASSPATH_FILE.tmp" "$CASS_CLASSPATH_FILE"
  log "Cassandra: classpath resolved in $(since "$start") s ($CASS_CLASSPATH_FILE)" >&2
  printf '%s' "$(<"$CASS_CLASSPATH_FILE")"
}

render_cassandra_conf() {
  local conf=$CASS_DIR/conf tpl
  mkdir -p -- "$conf" "$CASS_DIR"/{data,commitlog,saved_caches,hints,cdc_raw,logs}
  tpl=$(<"$REPO_ROOT/infra/cassandra/cassandra.yaml.template")
  shopt -u patsub_replacement 2>/dev/null || true # keep '&' literal in replacements (bash 5.2)
  tpl=${tpl//@CASSANDRA_DIR@/$CASS_DIR}
  tpl=${tpl//\"@LISTEN_ADDRESS@:@STORAGE_PORT@\"/\"$CASS_SEEDS\"}
  tpl=${tpl//@LISTEN_ADDRESS@/$CASS_LISTEN}
  tpl=${tpl//@STORAGE_PORT@/$CASS_STORAGE_PORT}
  tpl=${tpl//@NATIVE_PORT@/$CASS_PORT}
  tpl=${tpl//initial_token: 0/initial_token: $CASS_INITIAL_TOKEN}
  tpl=${tpl//cluster_name: \'messenger-local\'/cluster_name: \'$CASS_CLUSTER_NAME\'}
  [[ -z "$CASS_AUTO_BOOTSTRAP" ]] || tpl+=$'\n'"auto_bootstrap: $CASS_AUTO_BOOTSTRAP"
  printf '%s\n' "$tpl" >"$conf/cassandra.yaml"
  cp -f -- "$REPO_ROOT/infra/cassandra/logback.xml" "$conf/logback.xml"
}

print_cassandra_logs() {
  {
    printf -- '--- last lines of %s ---\n' "$CASS_OUT"
    tail -n 30 "$CASS_OUT" 2>/dev/null || true
    printf -- '--- last lines of %s ---\n' "$CASS_DIR/logs/system.log"
    tail -n 40 "$CASS_DIR/logs/system.log" 2>/dev/null || true
  } >&2
}

cassandra_wait() { # pid start-timestamp
  local pid=$1 start=$2 last=0 s
  while ! port_open "$CASS_HOST" "$CASS_PORT"; do
    s=$(since "$start")
    if gone "$pid"; then # (our own child: a zombie until this script exits)
      print_cassandra_logs
      rm -f -- "$CASS_PIDFILE" "$CASS_STATE"
      die "Cassandra (pid $pid) exited during start-up after $s s (logs: $CASS_DIR)"
    fi
    if awk -v s="$s" -v l="$CASSANDRA_START_TIMEOUT" 'BEGIN { exit !(s >= l) }'; then
      print_cassandra_logs
      warn "Cassandra did not open $CASS_HOST:$CASS_PORT within $CASSANDRA_START_TIMEOUT s: killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      rm -f -- "$CASS_PIDFILE" "$CASS_STATE"
      die "Cassandra start-up timed out (logs: $CASS_DIR)"
    fi
    if ((${s%.*} >= last + 5)); then
      last=${s%.*}
      log "Cassandra: waiting for CQL on $CASS_HOST:$CASS_PORT ... ${last} s"
    fi
    sleep 0.25
  done
}

cassandra_up() {
  local start pid
  start=$(now)
  if pid_alive "$CASS_PIDFILE" CassandraDaemon && [[ -f "$CASS_STATE" ]]; then
    pid=$(read_pid "$CASS_PIDFILE")
    if ! port_open "$CASS_HOST" "$CASS_PORT"; then
      log "Cassandra: infra.sh already started one (pid $pid), waiting for it"
      cassandra_wait "$pid" "$start"
    fi
    log "Cassandra: $CASS_HOST:$CASS_PORT accepts CQL connections (started by infra.sh, pid $pid)"
    return 0
  fi
  if port_open "$CASS_HOST" "$CASS_PORT"; then
    log "Cassandra: $CASS_HOST:$CASS_PORT already accepts connections: using it (infra.sh will not stop it)"
    return 0
  fi
  is_loopback "$CASS_HOST" ||
    die "nothing listens on $CASS_HOST:$CASS_PORT, and infra.sh only starts servers on 127.0.0.1"
  local p
  for p in "$CASS_STORAGE_PORT" "$CASS_JMX_PORT"; do
    if port_open "$([[ $p == "$CASS_JMX_PORT" ]] && echo 127.0.0.1 || echo "$CASS_LISTEN")" "$p"; then
      die "cannot start Cassandra: port $p is taken (set MESSENGER_CASSANDRA_STORAGE_PORT / MESSENGER_CASSANDRA_JMX_PORT)"
    fi
  done

  local java cp launched
  java=$(cassandra_java)
  cp=$(cassandra_classpath)
  if [[ $THROWAWAY -eq 1 ]]; then
    rm -rf -- "$CASS_DIR" # test data never outlives a test run
  fi
  render_cassandra_conf

  # JPMS flags: Cassandra 5.0's own conf/jvm17-server.options (also fine on Java 11).
  local -a jvm=(
    "${CASSANDRA_HEAP[@]}"
    -Djava.net.preferIPv4Stack=true
    -XX:+ExitOnOutOfMemoryError
    -Djdk.attach.allowAttachSelf=true
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports java.sql/java.sql=ALL-UNNAMED
    --add-exports java.base/java.lang.ref=ALL-UNNAMED
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
    --add-opens java.base/java.lang.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.util=ALL-UNNAMED
    -Dio.netty.tryReflectionSetAccessible=true
    -Dio.netty.allocator.useCacheForAllThreads=true
    -Dio.netty.allocator.maxOrder=11
    -Dcassandra-foreground=yes
    "-Dcassandra-pidfile=$CASS_PIDFILE"
    "-Dcassandra.config=file://$CASS_DIR/conf/cassandra.yaml"
    "-Dcassandra.storagedir=$CASS_DIR"
    "-Dcassandra.logdir=$CASS_DIR/logs"
    "-Dlogback.configurationFile=$CASS_DIR/conf/logback.xml"
    "-Dcassandra.jmx.local.port=$CASS_JMX_PORT"
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    -Dcassandra.ring_delay_ms=100
    -Dcassandra.memtable.row_overhead_size=180 # skips a ~2 s start-up measurement (it measured 180)
  )
  if [[ $THROWAWAY -eq 1 ]]; then
    jvm+=(-Dcassandra.unsafesystem=true) # non-durable system tables: test data only
  fi
  local -a extra_jvm=()
  read -r -a extra_jvm <<<"${CASSANDRA_EXTRA_JVM_OPTS:-}"
  jvm+=("${extra_jvm[@]}")

  log "Cassandra: nothing on $CASS_HOST:$CASS_PORT: starting Cassandra $CASSANDRA_VERSION ($java, data in $CASS_DIR)"
  (
    cd -- "$CASS_DIR"
    exec 9>&-
    exec setsid nohup "$java" "${jvm[@]}" -cp "$CASS_DIR/conf:$cp" \
      org.apache.cassandra.service.CassandraDaemon >"$CASS_OUT" 2>&1 </dev/null
  ) &
  pid=$!
  printf '%s\n' "$pid" >"$CASS_PIDFILE"
  printf '%s\n' "$CASS_PORT" >"$CASS_STATE"
  launched=$(now)
  cassandra_wait "$pid" "$launched"
  log "Cassandra: ready on $CASS_HOST:$CASS_PORT in $(since "$start") s (JVM start-up $(since "$launched") s; pid $pid, log $CASS_DIR/logs/system.log)"
}

cassandra_down() {
  if [[ ! -f "$CASS_STATE" ]]; then
    log "Cassandra: not started by infra.sh in $DATA_DIR: leaving it alone"
    return 0
  fi
  if ! pid_alive "$CASS_PIDFILE" CassandraDaemon; then
    log "Cassandra: the Cassandra infra.sh started is no longer running"
    rm -f -- "$CASS_STATE" "$CASS_PIDFILE"
    return 0
  fi
  local pid start
  pid=$(read_pid "$CASS_PIDFILE")
  start=$(now)
  if [[ $THROWAWAY -eq 1 ]]; then
    log "Cassandra: killing throwaway Cassandra (pid $pid)"
    kill -KILL "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || warn "Cassandra (pid $pid) still there after SIGKILL"
  else
    log "Cassandra: stopping (SIGTERM, pid $pid; up to 20 s)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 20; then
      warn "Cassandra (pid $pid) did not stop within 20 s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 10 || warn "Cassandra (pid $pid) still there after SIGKILL"
    fi
  fi
  local i
  for ((i = 0; i < 50; i++)); do
    port_open "$CASS_LISTEN" "$(tr -dc '0-9' <"$CASS_STATE")" || break
    sleep 0.2
  done
  log "Cassandra: stopped in $(since "$start") s"
  rm -f -- "$CASS_STATE" "$CASS_PIDFILE"
}

# ---------------------------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------------------------
status() {
  local rc=0 owner
  if [[ $WANT_REDIS -eq 1 ]]; then
    owner="not started by infra.sh"
    if [[ -f "$REDIS_STATE" ]] && pid_alive "$REDIS_PIDFILE" redis-server; then
      owner="started by infra.sh, pid $(read_pid "$REDIS_PIDFILE"), port $(tr -dc '0-9' <"$REDIS_STATE")"
    fi
    if redis_ping "$REDIS_HOST" "$REDIS_PORT"; then
      log "Redis     $REDIS_HOST:$REDIS_PORT  UP (PONG; $owner)"
    else
      log "Redis     $REDIS_HOST:$REDIS_PORT  DOWN ($owner)"
      rc=3
    fi
  fi
  if [[ $WANT_CASSANDRA -eq 1 ]]; then
    owner="not started by infra.sh"
    if [[ -f "$CASS_STATE" ]] && pid_alive "$CASS_PIDFILE" CassandraDaemon; then
      owner="started by infra.sh, pid $(read_pid "$CASS_PIDFILE")"
    fi
    if port_open "$CASS_HOST" "$CASS_PORT"; then
      log "Cassandra $CASS_HOST:$CASS_PORT  UP (CQL port open; $owner)"
    else
      log "Cassandra $CASS_HOST:$CASS_PORT  DOWN ($owner)"
      rc=3
    fi
  fi
  log "data dir  $DATA_DIR"
  return "$rc"
}

# One `up` or `down` at a time per data dir (tests may call `up` from several JVMs at once).
# The servers we start must not inherit the lock's file descriptor (they get 9>&-).
take_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  exec 9>"$DATA_DIR/.infra.lock"
  flock -w 600 9 || die "another infra.sh still holds $DATA_DIR/.infra.lock after 600 s"
}

case "$COMMAND" in
  up)
    take_lock
    total=$(now)
    [[ $WANT_REDIS -eq 0 ]] || redis_up
    [[ $WANT_CASSANDRA -eq 0 ]] || cassandra_up
    summary=""
    [[ $WANT_REDIS -eq 0 ]] || summary+=" Redis $REDIS_HOST:$REDIS_PORT"
    [[ $WANT_CASSANDRA -eq 0 ]] || summary+=" Cassandra $CASS_HOST:$CASS_PORT"
    log "up in $(since "$total") s:$summary (data dir $DATA_DIR)"
    ;;
  down)
    take_lock
    [[ $WANT_CASSANDRA -eq 0 ]] || cassandra_down
    [[ $WANT_REDIS -eq 0 ]] || redis_down
    ;;
  status)
    status
    ;;
esac
