#!/usr/bin/env bash
# Answered sends survive a SIGKILL of Cassandra, and seqs stay dense (docs/operations.md, "Commit log"):
#   1. starts its own Cassandra with scripts/infra.sh from the committed template (commitlog_sync:
#      batch), in its own data dir <repo>/.data/checks-cassandra-kill on free CQL/storage/JMX ports
#      (never the shared one on 9042), and its own throwaway Redis on a free port;
#   2. starts one history-service and one sync-service from the built jars (profile local, keyspace
#      killcheck, rate limits off) on free ports;
#   3. creates a group conversation and sends a burst of messages from concurrent senders (curl),
#      recording every answered (201/200) seq; every send must be answered;
#   4. right after the last answer, SIGKILLs the Cassandra JVM (no drain, no flush), starts it again
#      on the same data dir (the commit log is replayed) and waits for CQL; the history-service is
#      given 60 s to reconnect by itself and is restarted otherwise (the summary says which);
#   5. pages the conversation's history through the history-service's API (client token) and asserts
#      that every answered seq is there with its text and that the seqs are exactly 1..max (no hole,
#      no duplicate); then one more send must get max+1 (the counter survived).
# Prints `N answered, N present after SIGKILL+restart, seqs 1..M dense` and stops everything it
# started on exit. Takes 2-3 minutes on a busy 2-core machine (two Cassandra starts, two JVMs).
#
# What it proves: the process-kill case. A killed JVM leaves the OS page cache behind, so a power
# cut (which loses it) cannot be tested here; that case is covered by `commitlog_sync: batch` (the
# commit log is fsynced before a write is answered). A kill tells `batch` from `periodic` only
# sometimes: with `periodic`, Cassandra 5.0 still writes the commit log's sync markers every 100 ms
# (and fsyncs every commitlog_sync_period), replay reads up to the last marker, so a kill loses only
# the writes of the last ~100 ms, and the last answer reaches curl only after the sync-service's
# fan-out to Redis (about 60 ms on average here) and two HTTP hops. Of six runs with `periodic`,
# five passed and one lost the last answered message (seq 200, which the next send then reused).
# So the check also requires `batch` or `group` (both fsync before answering) in the rendered
# cassandra.yaml, and fails after the kill test otherwise.
#
# Environment: CHECK_KILL_MESSAGES [200] CHECK_KILL_SENDERS [8] CHECK_KILL_PORT_BASE [18781] (first
# port tried; six are taken from there), KEEP_CHECK_DATA=1 keeps the Cassandra data dir and the logs.
# Needs curl, jq, Java 17 and redis-server (scripts/infra.sh; it also resolves Cassandra from Maven).
# shellcheck disable=SC2317 # cleanup() and stop_service() run from a trap
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT
cd -- "$REPO_ROOT"

LOG_TAG=cassandra-kill
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/../lib.sh"

for tool in curl jq awk; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (Debian: apt-get install curl jq gawk)"
done
MESSAGES=${CHECK_KILL_MESSAGES:-200}
SENDERS=${CHECK_KILL_SENDERS:-8}
[[ "$MESSAGES" =~ ^[1-9][0-9]*$ && "$SENDERS" =~ ^[1-9][0-9]*$ ]] ||
  fail "CHECK_KILL_MESSAGES and CHECK_KILL_SENDERS must be positive integers"
((SENDERS <= MESSAGES)) || fail "more senders ($SENDERS) than messages ($MESSAGES)"

find_jar() { # module -> path of its newest runnable jar
  local module=$1 f newest=""
  shopt -s nullglob
  for f in "$module"/target/"$module"-*-exec.jar; do
    [[ -z "$newest" || "$f" -nt "$newest" ]] && newest=$f
  done
  shopt -u nullglob
  [[ -n "$newest" ]] || fail "no $module/target/$module-*-exec.jar: build first (./mvnw -B -DskipTests install)"
  printf '%s\n' "$REPO_ROOT/$newest"
}
HISTORY_JAR=$(find_jar history-service)
SYNC_JAR=$(find_jar sync-service)
JAVA_BIN=java
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && JAVA_BIN=$JAVA_HOME/bin/java
command -v "$JAVA_BIN" >/dev/null 2>&1 || fail "java is missing (Java 17 runs the services)"

DATA_DIR=$REPO_ROOT/.data/checks-cassandra-kill
LOG_DIR=$DATA_DIR/logs
WORK=$DATA_DIR/work

# --- free ports ------------------------------------------------------------------------------
PORTS=()
LAST_PORT=$((${CHECK_KILL_PORT_BASE:-18781} - 1))
next_port() { # the first free port above the last one taken
  local p=$((LAST_PORT + 1)) limit=$((LAST_PORT + 200))
  until port_free "$p"; do
    p=$((p + 1))
    ((p < limit)) || fail "no free port in $((LAST_PORT + 1))-$limit"
  done
  PORTS+=("$p")
  LAST_PORT=$p
}
for _ in 1 2 3 4 5 6; do next_port; done
SYNC_PORT=${PORTS[0]} HISTORY_PORT=${PORTS[1]} REDIS_PORT=${PORTS[2]}
CQL_PORT=${PORTS[3]} STORAGE_PORT=${PORTS[4]} JMX_PORT=${PORTS[5]}
SYNC=http://127.0.0.1:$SYNC_PORT
HISTORY=http://127.0.0.1:$HISTORY_PORT

# scripts/infra.sh on this check's data dir and ports only. The Cassandra runs in infra.sh's
# durable mode (no --throwaway on `up`): a throwaway one wipes its data dir on start and keeps its
# system tables (the schema, the Paxos state) out of the commit log. `down --throwaway` SIGKILLs it.
infra() {
  MESSENGER_DATA_DIR=$DATA_DIR MESSENGER_REDIS_HOST=127.0.0.1 MESSENGER_REDIS_PORT=$REDIS_PORT \
    MESSENGER_CASSANDRA_HOST=127.0.0.1 MESSENGER_CASSANDRA_PORT=$CQL_PORT \
    MESSENGER_CASSANDRA_STORAGE_PORT=$STORAGE_PORT MESSENGER_CASSANDRA_JMX_PORT=$JMX_PORT \
    "$REPO_ROOT/scripts/infra.sh" "$@" 8>&-
}

HISTORY_PID=""
SYNC_PID=""
INFRA_STARTED=0
stop_service() { # pid name
  local pid=$1 name=$2 i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 75; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) did not stop within 15 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap '' INT TERM
  stop_service "$SYNC_PID" sync-service
  stop_service "$HISTORY_PID" history-service
  if ((INFRA_STARTED)); then
    infra down --throwaway >"$DATA_DIR/infra-down.out" 2>&1 || cat "$DATA_DIR/infra-down.out" >&2
  fi
  if ((rc != 0)); then
    log "logs: $LOG_DIR (services, infra), $DATA_DIR/cassandra/logs/system.log"
    local f
    for f in "$LOG_DIR/history-service.log" "$LOG_DIR/sync-service.log"; do
      [[ -s "$f" ]] || continue
      log "--- last warnings and errors of $f ---"
      grep -E '^[0-9T:.-]+Z +(WARN|ERROR) ' "$f" | tail -n 10 | cut -c1-300 >&2 || true
    done
  elif [[ "${KEEP_CHECK_DATA:-0}" != 1 ]]; then
    rm -rf -- "$DATA_DIR/cassandra" "$DATA_DIR/redis" "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p -- "$DATA_DIR"
# One run at a time per data dir (the lock's descriptor 8 is closed for everything this starts).
if command -v flock >/dev/null 2>&1; then
  exec 8>"$DATA_DIR/.check.lock"
  flock -n 8 || fail "another run of this check is using $DATA_DIR"
fi
# A previous run of this check that was itself killed may have left its servers behind: infra.sh
# stops only what it started in this data dir (pid files), then the data goes.
infra down --throwaway >/dev/null 2>&1 || true
rm -rf -- "$DATA_DIR/cassandra" "$DATA_DIR/redis" "$LOG_DIR" "$WORK"
mkdir -p -- "$LOG_DIR" "$WORK"
T0=$(now)

# --- Redis, Cassandra and the services ------------------------------------------------------------
log "ports: sync $SYNC_PORT, history $HISTORY_PORT, redis $REDIS_PORT, cassandra CQL $CQL_PORT (storage $STORAGE_PORT, JMX $JMX_PORT)"
service_env=(
  MESSENGER_REDIS_HOST=127.0.0.1 "MESSENGER_REDIS_PORT=$REDIS_PORT"
  SPRING_DATA_REDIS_HOST=127.0.0.1 "SPRING_DATA_REDIS_PORT=$REDIS_PORT"
  MESSENGER_CASSANDRA_HOST=127.0.0.1 "MESSENGER_CASSANDRA_PORT=$CQL_PORT"
  "SPRING_CASSANDRA_CONTACT_POINTS=127.0.0.1:$CQL_PORT" SPRING_CASSANDRA_LOCAL_DATACENTER=datacenter1
  MESSENGER_CASSANDRA_KEYSPACE=killcheck MESSENGER_HISTORY_BASE_URL="$HISTORY"
  MESSENGER_RATE_LIMIT_ENABLED=false
)
# The driver's reconnection back-off (default: exponential from 1 s up to 60 s) capped at 1 s, so
# that the history-service's own reconnection is seen within a second of CQL being back instead of
# after the next 16-32 s step; the reconnection itself is the driver's ordinary one.
HISTORY_JVM=(-Ddatastax-java-driver.advanced.reconnection-policy.base-delay=250ms
  -Ddatastax-java-driver.advanced.reconnection-policy.max-delay=1s)
start_service() { # name jar port [jvm options...] -> LAST_PID
  local name=$1 jar=$2 port=$3 logfile=$LOG_DIR/$1.log
  shift 3
  [[ ! -f "$logfile" ]] || mv -f -- "$logfile" "$logfile.1"
  env "${service_env[@]}" "$JAVA_BIN" -XX:+UseZGC -Xmx512m -XX:TieredStopAtLevel=1 "$@" -jar "$jar" \
    --server.port="$port" --spring.profiles.active=local >"$logfile" 2>&1 </dev/null 8>&- &
  LAST_PID=$!
}
healthy() { curl -fsS -m 2 "$1/actuator/health" 2>/dev/null | jq -e '.status == "UP"' >/dev/null 2>&1; }
wait_healthy() { # name url pid seconds
  local name=$1 url=$2 pid=$3 limit=$4 start
  start=$(now)
  until healthy "$url"; do
    kill -0 "$pid" 2>/dev/null || fail "$name exited during start-up (log $LOG_DIR/$name.log)"
    older_than "$start" "$limit" && fail "$name not UP at $url/actuator/health within $limit s"
    sleep 0.5
  done
}

INFRA_STARTED=1
infra up --throwaway redis >"$LOG_DIR/infra-redis.out" 2>&1 ||
  fail "starting Redis failed: $(tail -n 5 "$LOG_DIR/infra-redis.out")"
# The sync-service needs only Redis: it starts while Cassandra does.
LAST_PID=""
start_service sync-service "$SYNC_JAR" "$SYNC_PORT"
SYNC_PID=$LAST_PID
start=$(now)
infra up cassandra >"$LOG_DIR/infra-cassandra-1.out" 2>&1 ||
  fail "starting Cassandra failed: $(tail -n 20 "$LOG_DIR/infra-cassandra-1.out")"
COMMITLOG=$(grep '^commitlog_sync' "$DATA_DIR/cassandra/conf/cassandra.yaml" | paste -sd ' ' -)
log "Cassandra up on 127.0.0.1:$CQL_PORT in $(since "$start") s (${COMMITLOG:-no commitlog_sync line})"
[[ "$COMMITLOG" =~ ^commitlog_sync:\ (batch|group)( |$) ]] ||
  log "NOTE: not 'commitlog_sync: batch' or 'group': the check runs and then fails (a power cut would lose answered writes)"
start=$(now)
start_service history-service "$HISTORY_JAR" "$HISTORY_PORT" "${HISTORY_JVM[@]}"
HISTORY_PID=$LAST_PID
wait_healthy history-service "$HISTORY" "$HISTORY_PID" 150
wait_healthy sync-service "$SYNC" "$SYNC_PID" 150
log "both services UP ($(since "$start") s after Cassandra)"

# --- the burst ---------------------------------------------------------------------------------
RUN=$(date +%s)$$
token() { # user device
  curl -fsS -m 10 -H 'Content-Type: application/json' \
    -d "{\"userId\":\"$1\",\"deviceId\":\"$2\"}" "$SYNC/dev/tokens" | jq -er .token
}
TOKENS=()
members=()
for ((k = 0; k < SENDERS; k++)); do
  tok=$(token "kc${RUN}_u$k" phone) || fail "POST /dev/tokens failed"
  TOKENS+=("$tok")
  ((k == 0)) || members+=("\"kc${RUN}_u$k\"")
done
member_list=$(
  IFS=,
  printf '%s' "${members[*]}"
)
CID=$(curl -fsS -m 30 -X POST -H "Authorization: Bearer ${TOKENS[0]}" -H 'Content-Type: application/json' \
  -d "{\"type\":\"group\",\"title\":\"kill check $RUN\",\"members\":[$member_list]}" \
  "$SYNC/v1/conversations" | jq -er .conversationId) || fail "creating the group conversation failed"
log "group conversation $CID with $SENDERS members"

# The text of message clientMsgId $1 (so the expected text of every answered seq is known).
text_of() { printf 'kill check %s message %s' "$RUN" "$1"; }
send() { # token clientMsgId body-file -> HTTP status (000 when no answer came)
  local code
  code=$(curl -sS -m 30 -o "$3" -w '%{http_code}' -X POST -H "Authorization: Bearer $1" \
    -H 'Content-Type: application/json' -d "{\"clientMsgId\":\"$2\",\"text\":\"$(text_of "$2")\"}" \
    "$SYNC/v1/conversations/$CID/messages" 2>>"$WORK/curl.err") || true
  printf '%s' "${code:-000}"
}
sender() { # k count: sends its messages one after the other, one line "clientMsgId status" each
  local k=$1 count=$2 i id
  for ((i = 1; i <= count; i++)); do
    id=s$k-m$i
    printf '%s %s\n' "$id" "$(send "${TOKENS[$k]}" "$id" "$WORK/$id.json")"
  done >"$WORK/sender-$k.txt"
}
# The JVM to kill, looked up now so that nothing stands between the last answer and the SIGKILL.
CASS_PID=$(tr -dc '0-9' <"$DATA_DIR/cassandra.pid" 2>/dev/null || true)
if [[ -z "$CASS_PID" ]] || ! tr '\0' ' ' <"/proc/$CASS_PID/cmdline" 2>/dev/null | grep -q CassandraDaemon; then
  fail "the Cassandra JVM of $DATA_DIR is not running (pid file: ${CASS_PID:-none})"
fi
start=$(now)
SENDER_PIDS=()
for ((k = 0; k < SENDERS; k++)); do
  sender "$k" $((MESSAGES / SENDERS + (k < MESSAGES % SENDERS ? 1 : 0))) &
  SENDER_PIDS+=("$!")
done
wait "${SENDER_PIDS[@]}"
answered_at=$(now)
# --- SIGKILL, right after the last answer --------------------------------------------------------
kill -KILL "$CASS_PID"
killed_at=$(now)

burst_s=$(awk -v a="$start" -v b="$answered_at" 'BEGIN { printf "%.1f", b - a }')
kill_ms=$(awk -v a="$answered_at" -v b="$killed_at" 'BEGIN { printf "%.0f", (b - a) * 1000 }')

cat "$WORK"/sender-*.txt >"$WORK/sends.txt"
sent=$(wc -l <"$WORK/sends.txt")
awk '$2 == 200 || $2 == 201 { print $1 }' "$WORK/sends.txt" >"$WORK/answered-ids.txt"
answered=$(wc -l <"$WORK/answered-ids.txt")
log "burst: $sent sends from $SENDERS senders in $burst_s s, $answered answered; Cassandra (pid $CASS_PID) SIGKILLed ${kill_ms} ms after the last answer"
if ((answered != MESSAGES)); then
  awk '$2 != 200 && $2 != 201 { n[$2]++ } END { for (s in n) printf "    HTTP %s: %d\n", s, n[s] }' \
    "$WORK/sends.txt" >&2
  tail -n 5 "$WORK/curl.err" >&2 2>/dev/null || true
  fail "only $answered of $MESSAGES sends were answered before the kill (every send must be, on a healthy system)"
fi
# answered.tsv: seq <TAB> clientMsgId, from the answers themselves.
sed "s|.*|$WORK/&.json|" "$WORK/answered-ids.txt" | xargs jq -r '"\(.seq)\t\(.clientMsgId)"' |
  sort -n >"$WORK/answered.tsv"
[[ $(wc -l <"$WORK/answered.tsv") -eq "$answered" ]] || fail "an answer has no seq (see $WORK/*.json)"
reused=$(cut -f1 "$WORK/answered.tsv" | uniq -d | head -n 5 | tr '\n' ' ')
[[ -z "$reused" ]] || fail "one seq answered to two sends before the kill: $reused"

start=$(now)
until [[ ! -d "/proc/$CASS_PID" ]] && port_free "$CQL_PORT"; do
  older_than "$start" 15 && fail "the killed Cassandra (pid $CASS_PID) still holds port $CQL_PORT after 15 s"
  sleep 0.1
done

# --- restart on the same data dir ----------------------------------------------------------------
start=$(now)
infra up cassandra >"$LOG_DIR/infra-cassandra-2.out" 2>&1 ||
  fail "restarting Cassandra on the same data dir failed: $(tail -n 20 "$LOG_DIR/infra-cassandra-2.out")"
replayed=$(grep -Eo 'Log replay complete, [0-9]+ replayed mutations' "$DATA_DIR/cassandra/logs/system.log" |
  tail -n 1 || true)
log "Cassandra restarted on the same data dir, CQL up in $(since "$start") s (${replayed:-no replay line in system.log})"

auth_get() { curl -fsS -m 10 -H "Authorization: Bearer ${TOKENS[0]}" "$1"; }
newest_page_ok() { auth_get "$HISTORY/v1/conversations/$CID/messages?limit=1" >/dev/null 2>&1; }
start=$(now)
until healthy "$HISTORY" && newest_page_ok; do
  kill -0 "$HISTORY_PID" 2>/dev/null || fail "the history-service exited while Cassandra was down"
  older_than "$start" 60 && break
  sleep 0.5
done
if healthy "$HISTORY" && newest_page_ok; then
  RECOVERY="history-service reconnected by itself $(since "$start") s after CQL was back"
else
  log "history-service not serving pages 60 s after CQL was back: restarting it"
  stop_service "$HISTORY_PID" history-service
  HISTORY_PID=""
  start_service history-service "$HISTORY_JAR" "$HISTORY_PORT" "${HISTORY_JVM[@]}"
  HISTORY_PID=$LAST_PID
  wait_healthy history-service "$HISTORY" "$HISTORY_PID" 150
  RECOVERY="history-service restarted (it had not reconnected within 60 s), UP in $(since "$start") s"
fi
log "$RECOVERY"

# --- read it all back --------------------------------------------------------------------------
before=""
: >"$WORK/present.tsv"
for ((pages = 1; ; pages++)); do
  ((pages <= MESSAGES / 100 + 5)) || fail "more history pages than $MESSAGES messages can fill"
  auth_get "$HISTORY/v1/conversations/$CID/messages?limit=100${before:+&before=$before}" >"$WORK/page.json" ||
    fail "GET history page (before=${before:-none}) failed"
  jq -r '.messages[] | "\(.seq)\t\(.text)"' "$WORK/page.json" >>"$WORK/present.tsv"
  [[ $(jq -r '.hasMoreBefore' "$WORK/page.json") == true ]] || break
  before=$(jq -er '[.messages[].seq] | min' "$WORK/page.json") || fail "a page with hasMoreBefore has no messages"
done
sort -n -o "$WORK/present.tsv" "$WORK/present.tsv"
present=$(wc -l <"$WORK/present.tsv")

# Every answered seq with its text.
missing=$(awk -F'\t' -v run="$RUN" '
  NR == FNR { text[$1] = $2; next }
  { want = "kill check " run " message " $2
    if (!($1 in text)) print "seq " $1 " (" $2 ") missing"
    else if (text[$1] != want) print "seq " $1 " holds \"" text[$1] "\" instead of \"" want "\"" }
' "$WORK/present.tsv" "$WORK/answered.tsv")
if [[ -n "$missing" ]]; then
  head -n 20 <<<"$missing" >&2
  fail "$(wc -l <<<"$missing") of $answered answered messages are not in history after SIGKILL+restart"
fi
# Exactly 1..max: no duplicate, no hole.
dups=$(cut -f1 "$WORK/present.tsv" | uniq -d | head -n 10 | tr '\n' ' ')
[[ -z "$dups" ]] || fail "seqs present more than once: $dups"
max=$(tail -n 1 "$WORK/present.tsv" | cut -f1)
holes=$(cut -f1 "$WORK/present.tsv" | awk '$1 != NR { print NR; exit }')
[[ -z "$holes" && "$present" -eq "$max" ]] || fail "seqs are not dense: $present present, max $max, first hole at ${holes:-?}"

# The counter survived: the next send continues at max+1.
code=$(send "${TOKENS[0]}" after-restart "$WORK/after-restart.json")
[[ "$code" == 201 ]] || fail "the send after the restart answered HTTP $code: $(cat "$WORK/after-restart.json")"
next=$(jq -r .seq "$WORK/after-restart.json")
[[ "$next" == $((max + 1)) ]] || fail "the send after the restart got seq $next, expected $((max + 1))"

log "next send got seq $next; total $(since "$T0") s"
log "$answered answered, $present present after SIGKILL+restart, seqs 1..$max dense"
# The kill cannot show what a power cut does (see the header): the fsync before the answer must be on.
[[ "$COMMITLOG" =~ ^commitlog_sync:\ (batch|group)( |$) ]] ||
  fail "the rendered cassandra.yaml has '$COMMITLOG', not 'commitlog_sync: batch' (or group): an answered write is not fsynced before the answer, and a power cut would lose it"
