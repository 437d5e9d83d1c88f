#!/usr/bin/env bash
# Black-box chaos driver against services running on the local cluster (scripts/cluster.sh, e.g.
# under `./scripts/run.sh --cluster`): end-to-end traffic while it SIGKILLs one Redis master and one
# Cassandra node and later restarts them, then checks what clients were promised.
#
#   SYNC=http://127.0.0.1:8081 HIST=http://127.0.0.1:8082 scripts/cluster-chaos.sh
#
# Traffic: 4 users in a group conversation and a direct one; 4 senders (one per user, in turns
# between the two conversations) send CHAOS_MESSAGES [40] each, every send retried with the same
# clientMsgId until it is answered 2xx (a 5xx / timeout is retried after its Retry-After or 0.5 s;
# guarantee 2 makes the retry safe); operations (read markers, a delete_for_me, an edit) in between;
# a long-poll loop of the last user; acks of the first user. Timeline (seconds after the traffic
# starts): kill a Redis master at CHAOS_REDIS_KILL_AT [6], start it again at +CHAOS_REDIS_DOWN [12]
# (it comes back as a replica); kill Cassandra node CHAOS_CASSANDRA_NODE [2] at CHAOS_CASSANDRA_KILL_AT
# [14], start it again at +CHAOS_CASSANDRA_DOWN [15].
# CHAOS_KILLS=0 runs the traffic and the checks without killing anything.
# Then, after CHAOS_SETTLE [15] s (> messenger.delivery.max-lag), it asserts:
#   - every send was answered, and no seq was answered for two clientMsgIds (no seq reused);
#   - per conversation, the seqs answered to its sends and operations are exactly 1..max, each once
#     (no seq skipped or reused); history (the pages a client roams) holds every answered message
#     at its answered seq with its text (none lost) and no other message;
#   - every member's inbox, pulled from the cursor it had before the traffic, holds every answered
#     message of the conversations it is in (or answers resync, whose roaming the pages cover: counted);
#   - the long-poll loop received entries, never waited out its full timeout while sends went on,
#     and received every group message unless a resync answered after it (no silent gap);
#   - 503s only while the killed Redis master's slots had no master: between its kill and the end of
#     the failover plus CHAOS_503_GRACE_MS [6000] (the sync-service's topology re-read and the Redis
#     command timeout); none while the Cassandra ring runs with a node down (quorum kept).
# Prints one summary line `sent N answered N lost 0 duplicated 0 ...` and exits non-zero on any failure.
# Needs curl, jq, and scripts/cluster.sh's environment (CLUSTER_* variables) for the kills.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
SYNC=${SYNC:-http://127.0.0.1:8081}
HIST=${HIST:-http://127.0.0.1:8082}
MESSAGES=${CHAOS_MESSAGES:-40}
REDIS_KILL_AT=${CHAOS_REDIS_KILL_AT:-6}
REDIS_DOWN=${CHAOS_REDIS_DOWN:-12}
CASS_NODE=${CHAOS_CASSANDRA_NODE:-2}
CASS_KILL_AT=${CHAOS_CASSANDRA_KILL_AT:-14}
CASS_DOWN=${CHAOS_CASSANDRA_DOWN:-15}
SETTLE=${CHAOS_SETTLE:-15}
WORK=${CHAOS_WORK:-$(mktemp -d /tmp/cluster-chaos.XXXXXX)}
mkdir -p -- "$WORK"
rm -f -- "$WORK/stop"
# On any exit: stop the long-poll loop and whatever else still runs in the background.
trap 'touch "$WORK/stop"; kill $(jobs -p) 2>/dev/null || true' EXIT

LOG_TAG=chaos LOG_STDERR=1
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/lib.sh"
now_ms() {
  local t=$EPOCHREALTIME
  t=${t/,/.}
  printf '%s' "$((${t%.*} * 1000 + 10#${t#*.} / 1000))"
}

# A set-up call retried (a loaded machine answers the odd 503 or times out): up to 30 attempts.
retried() {
  local i out
  for ((i = 0; i < 30; i++)); do
    if out=$("$@" 2>/dev/null); then
      printf '%s' "$out"
      return 0
    fi
    sleep 1
  done
  fail "set-up call failed 30 times: ${*: -1}"
}

token() {
  retried curl -fsS -m 10 -X POST "$SYNC/dev/tokens" -H 'Content-Type: application/json' \
    -d "{\"userId\":\"$1\",\"deviceId\":\"$2\"}" | jq -r .token
}

RUN=c$(date +%s)$RANDOM
USERS=("${RUN}a" "${RUN}b" "${RUN}c" "${RUN}d")
declare -A TOK
for u in "${USERS[@]}"; do TOK[$u]=$(token "$u" phone); done

# A POST retried until 2xx, for at most 90 s: prints "<status> <attempts> <first-503-ms or 0> <body>".
post_until_answered() { # token url body
  local tok=$1 url=$2 body=$3 attempts=0 status out start first503=0 deadline
  local answer=$WORK/body.$BASHPID
  start=$(now_ms)
  deadline=$((start + 90000))
  while :; do
    attempts=$((attempts + 1))
    out=$(curl -sS -m 12 -o "$answer" -w '%{http_code}' -X POST \
      -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$url" -d "$body" 2>/dev/null || echo 000)
    status=$out
    if [[ "$status" == 2* ]]; then
      printf '%s %s %s %s\n' "$status" "$attempts" "$first503" "$(tr -d '\n' <"$answer")"
      return 0
    fi
    printf '%s %s %s\n' "$(now_ms)" "$status" "$url" >>"$WORK/errors"
    [[ "$status" == 503 && $first503 == 0 ]] && first503=$(now_ms)
    [[ "$status" == 4* && "$status" != 429 ]] && {
      printf '%s %s %s %s\n' "$status" "$attempts" "$first503" "$(tr -d '\n' <"$answer")"
      return 1
    }
    (($(now_ms) < deadline)) || {
      printf '%s %s %s unanswered\n' "$status" "$attempts" "$first503"
      return 1
    }
    sleep 0.5
  done
}

# --- set-up ----------------------------------------------------------------------------------
declare -A CURSOR
for u in "${USERS[@]}"; do
  CURSOR[$u]=$(retried curl -fsS -m 10 -H "Authorization: Bearer ${TOK[$u]}" "$SYNC/v1/sync" | jq -r '.resync.headCursor // .nextCursor')
done
read -r st _ _ body < <(post_until_answered "${TOK[${USERS[0]}]}" "$SYNC/v1/conversations" \
  "{\"type\":\"group\",\"title\":\"chaos\",\"members\":[\"${USERS[1]}\",\"${USERS[2]}\",\"${USERS[3]}\"],\"clientRequestId\":\"$RUN-g\"}")
GROUP=$(jq -r .conversationId <<<"$body")
read -r st _ _ body < <(post_until_answered "${TOK[${USERS[0]}]}" "$SYNC/v1/conversations" \
  "{\"type\":\"direct\",\"members\":[\"${USERS[1]}\"]}")
DIRECT=$(jq -r .conversationId <<<"$body")
[[ "$GROUP" == c_* && "$DIRECT" == c_* ]] || fail "could not create the conversations"
log "run $RUN: group $GROUP (4 members), direct $DIRECT (${USERS[0]}, ${USERS[1]}); $MESSAGES sends per user"

# --- traffic ---------------------------------------------------------------------------------
T0=$(now_ms)
printf 't0 %s\n' "$T0" >"$WORK/timeline"
sender() { # index
  local i=$1 u=${USERS[$1]} n cid text id line
  for ((n = 1; n <= MESSAGES; n++)); do
    cid=$GROUP
    ((i <= 1 && n % 3 == 0)) && cid=$DIRECT
    id="$u-m$n"
    text="chaos $u $n"
    if line=$(post_until_answered "${TOK[$u]}" "$SYNC/v1/conversations/$cid/messages" "{\"clientMsgId\":\"$id\",\"text\":\"$text\"}"); then
      read -r st attempts first503 body <<<"$line"
      printf '%s %s %s %s %s %s\n' "$cid" "$(jq -r .seq <<<"$body")" "$id" "$st" "$attempts" "$(($(now_ms) - T0))" >>"$WORK/answered.$i"
    else
      printf '%s %s %s\n' "$cid" "$id" "$line" >>"$WORK/unanswered"
    fi
    if ((n % 10 == 5)); then # an operation: a read marker (and, once, an edit by the sender)
      post_until_answered "${TOK[$u]}" "$SYNC/v1/conversations/$GROUP/operations" \
        "{\"clientOpId\":\"$u-op$n\",\"type\":\"read\",\"upToSeq\":1}" >>"$WORK/ops.$i" || echo "op failed" >>"$WORK/unanswered"
    fi
    sleep 0.1
  done
}

longpoller() { # the last user's phone, from its first cursor, until told to stop
  local u=${USERS[3]} cur=${CURSOR[${USERS[3]}]} r t0 t1 n code
  while [[ ! -f "$WORK/stop" ]]; do
    t0=$(now_ms)
    r=$(curl -sS -m 40 -w '\n%{http_code}' -H "Authorization: Bearer ${TOK[$u]}" "$SYNC/v1/sync?cursor=$cur&waitMs=20000&limit=500" 2>/dev/null || true)
    t1=$(now_ms)
    code=${r##*$'\n'}
    r=${r%$'\n'*}
    # Only a 200 carries a page: a 503 (a Redis timeout during the failover) is a problem detail
    # with no entries and no cursor, to be retried from the same cursor.
    if [[ "$code" == 200 ]] && n=$(jq -e '.entries | length' <<<"$r" 2>/dev/null); then
      next=$(jq -r '.resync.headCursor // .nextCursor' <<<"$r")
      # "<start> <took> <entries> <resync reason or -> <cursor sent> <cursor answered>"
      printf '%s %s %s %s %s %s\n' "$((t0 - T0))" "$((t1 - t0))" "$n" "$(jq -r '.resync.reason // "-"' <<<"$r")" \
        "$cur" "$next" >>"$WORK/longpoll"
      # every message entry received, "<cid> <seq> <ms after t0 it was received>"
      jq -r --arg t "$((t1 - T0))" '.entries[]? | select(.kind == "message") | "\(.conversationId) \(.seq) \($t)"' \
        <<<"$r" >>"$WORK/longpoll-entries" || true
      cur=$next
    else
      # "error <status> <problem type>": the summary counts them by kind
      printf '%s %s error %s %s\n' "$((t0 - T0))" "$((t1 - t0))" "${code:-000}" \
        "$(jq -r '.type // "-"' <<<"$r" 2>/dev/null | head -c 80 || echo -)" >>"$WORK/longpoll"
      sleep 0.5
    fi
  done
}

chaos() {
  local master t
  [[ "${CHAOS_KILLS:-1}" != 0 ]] || return 0
  sleep "$REDIS_KILL_AT"
  master=$("$SCRIPT_DIR/cluster.sh" masters | head -n 1)
  t=$(now_ms)
  "$SCRIPT_DIR/cluster.sh" kill redis "$master"
  printf 'redis_kill %s %s\n' "$master" "$((t - T0))" >>"$WORK/timeline"
  # failover time: until, in another master's view, the killed node holds no slot (its replica
  # took them over); at most 60 s
  local other
  other=$("$SCRIPT_DIR/cluster.sh" masters | grep -v "^$master$" | head -n 1 || true)
  while (($(now_ms) - t < 60000)); do
    if ! redis-cli -p "${other:-$master}" cluster nodes 2>/dev/null |
      awk -v p=":$master@" 'index($2, p) && NF >= 9 { found = 1 } END { exit !found }'; then
      break
    fi
    sleep 0.2
  done
  printf 'redis_failover %s\n' "$(($(now_ms) - t))" >>"$WORK/timeline"
  sleep "$REDIS_DOWN"
  "$SCRIPT_DIR/cluster.sh" start redis "$master" 2>/dev/null
  printf 'redis_start %s %s\n' "$master" "$(($(now_ms) - T0))" >>"$WORK/timeline"
  t=$((CASS_KILL_AT - REDIS_KILL_AT - REDIS_DOWN))
  ((t <= 0)) || sleep "$t"
  "$SCRIPT_DIR/cluster.sh" kill cassandra "$CASS_NODE"
  printf 'cassandra_kill %s %s\n' "$CASS_NODE" "$(($(now_ms) - T0))" >>"$WORK/timeline"
  sleep "$CASS_DOWN"
  printf 'cassandra_start_begin %s %s\n' "$CASS_NODE" "$(($(now_ms) - T0))" >>"$WORK/timeline"
  "$SCRIPT_DIR/cluster.sh" start cassandra "$CASS_NODE" >"$WORK/cassandra-start.log" 2>&1
  printf 'cassandra_start %s %s\n' "$CASS_NODE" "$(($(now_ms) - T0))" >>"$WORK/timeline"
}

longpoller &
LP=$!
chaos &
CH=$!
SENDERS=()
for i in 0 1 2 3; do
  sender "$i" &
  SENDERS+=($!)
done
for p in "${SENDERS[@]}"; do wait "$p" || true; done
T_SENT=$(now_ms)
log "sends done after $(((T_SENT - T0) / 1000)) s; waiting for the chaos timeline to finish"
wait "$CH" || fail "the chaos timeline failed (cluster.sh; see $WORK)"
log "timeline: $(tr '\n' ';' <"$WORK/timeline")"
log "settling $SETTLE s (relay max-lag)"
sleep "$SETTLE"
touch "$WORK/stop"

# --- checks ----------------------------------------------------------------------------------
cat "$WORK"/answered.* >"$WORK/answered"
SENT=$((4 * MESSAGES))
ANSWERED=$(wc -l <"$WORK/answered")
UNANSWERED=$( [[ -f "$WORK/unanswered" ]] && wc -l <"$WORK/unanswered" || echo 0)
FAILURES=()
((ANSWERED == SENT)) || FAILURES+=("$UNANSWERED of $SENT sends unanswered: $(head -n 3 "$WORK/unanswered" 2>/dev/null | tr '\n' ';')")
# no seq answered for two clientMsgIds
DUP=$(awk '{ print $1, $2 }' "$WORK/answered" | sort | uniq -d | wc -l)
((DUP == 0)) || FAILURES+=("$DUP seqs answered for two different messages")

# Every answered seq of a conversation: its messages and its operations (read markers).
cat "$WORK"/ops.* 2>/dev/null | awk '$1 ~ /^2/ { $1 = $2 = $3 = ""; print }' | jq -r '"\(.conversationId) \(.seq) op"' >"$WORK/answered-ops" || true
# History as a client roams it: every message page of a conversation, newest first, "seq text".
pages() { # cid
  local cid=$1 before="" r
  while :; do
    r=$(retried curl -fsS -m 20 -H "Authorization: Bearer ${TOK[${USERS[0]}]}" "$HIST/v1/conversations/$cid/messages?limit=100${before:+&before=$before}")
    jq -r '.messages[] | "\(.seq) \(.text // "-" | gsub(" "; "_"))"' <<<"$r"
    [[ "$(jq -r .hasMoreBefore <<<"$r")" == true ]] || break
    before=$(jq -r '.messages[-1].seq' <<<"$r")
  done
}
LOST=0
for cid in "$GROUP" "$DIRECT"; do
  # seqs answered (messages and operations): exactly 1..max, each once (none skipped, none reused)
  { awk -v c="$cid" '$1 == c { print $2 }' "$WORK/answered" "$WORK/answered-ops"; } | sort -n >"$WORK/seqs.$cid"
  max=$(tail -n 1 "$WORK/seqs.$cid")
  bad=$(awk -v m="$max" '{ s[$1]++ } END { for (i = 1; i <= m; i++) if (s[i] != 1) n++; print n + 0 }' "$WORK/seqs.$cid")
  ((bad == 0)) || FAILURES+=("$cid: answered seqs are not exactly 1..$max ($bad skipped or reused)")
  pages "$cid" | sort -n >"$WORK/history.$cid"
  # every answered message in history at its seq with its text; nothing else in history
  while read -r c seq id _; do
    [[ "$c" == "$cid" ]] || continue
    u=${id%-m*}
    n=${id##*-m}
    grep -qx "$seq chaos_${u}_$n" "$WORK/history.$cid" || LOST=$((LOST + 1))
  done <"$WORK/answered"
  extra=$(awk -v c="$cid" 'NR == FNR { if ($1 == c) a[$2] = 1; next } !($1 in a)' "$WORK/answered" "$WORK/history.$cid" | wc -l)
  ((extra == 0)) || FAILURES+=("$cid: $extra messages in history that no send was answered for")
done
((LOST == 0)) || FAILURES+=("$LOST answered messages not in history at their seq")

# every member's inbox from its first cursor
RESYNCS=0
MISSING=0
for u in "${USERS[@]}"; do
  cur=${CURSOR[$u]}
  : >"$WORK/inbox.$u"
  while :; do
    r=$(retried curl -fsS -m 20 -H "Authorization: Bearer ${TOK[$u]}" "$SYNC/v1/sync?cursor=$cur&limit=500")
    if [[ "$(jq -r '.resync.reason // ""' <<<"$r")" != "" ]]; then
      RESYNCS=$((RESYNCS + 1)) # the pages above are what such a device re-reads
      break
    fi
    jq -r '.entries[] | select(.kind == "message") | "\(.conversationId) \(.seq)"' <<<"$r" >>"$WORK/inbox.$u"
    [[ "$(jq -r .hasMore <<<"$r")" == true ]] || break
    cur=$(jq -r .nextCursor <<<"$r")
  done
  [[ -s "$WORK/inbox.$u" ]] || continue
  while read -r cid seq _; do
    [[ "$cid" == "$DIRECT" && "$u" != "${USERS[0]}" && "$u" != "${USERS[1]}" ]] && continue
    grep -qx "$cid $seq" "$WORK/inbox.$u" || MISSING=$((MISSING + 1))
  done <"$WORK/answered"
done
((MISSING == 0)) || FAILURES+=("$MISSING message events missing from members' inboxes (no resync)")

E503=$(awk '$2 == 503' "$WORK/errors" 2>/dev/null | wc -l)
# when the 503s came, in seconds after the traffic started (to compare with the kills)
W503=$(awk -v t0="$T0" '$2 == 503 { s = ($1 - t0) / 1000; if (!n++) a = s; b = s } END { if (n) printf "%.1f-%.1f", a, b; else printf "-" }' "$WORK/errors" 2>/dev/null || echo -)
# long-polls that waited out the whole 20 s with no answer although sends went on all that time
FULLWAITS=$(awk -v sent="$((T_SENT - T0))" '$3 == 0 && $4 == "-" && $2 >= 19000 && $1 + $2 < sent' "$WORK/longpoll" 2>/dev/null | wc -l)
((FULLWAITS == 0)) || FAILURES+=("$FULLWAITS long-polls waited out their timeout while sends went on")
EOTHER=$(awk '$2 != 503' "$WORK/errors" 2>/dev/null | wc -l)
LP_POLLS=$(wc -l <"$WORK/longpoll" 2>/dev/null || echo 0)
# failed long-polls by status and problem type, with the time of the first and last (s after t0)
LP_ERRORS=$(awk '$3 == "error" { k = $4 "/" $5; n[k]++; if (!(k in a)) a[k] = $1 / 1000; b[k] = $1 / 1000 }
  END { for (k in n) printf "%s%s x%d (%.1f-%.1f s)", (c++ ? ", " : ""), k, n[k], a[k], b[k]; if (!c) printf "none" }' \
  "$WORK/longpoll" 2>/dev/null || echo "?")
LP_ENTRIES=$(awk '$3 != "error" { s += $3 } END { print s + 0 }' "$WORK/longpoll" 2>/dev/null)
((LP_ENTRIES > 0)) || FAILURES+=("the long-poll loop received nothing")
# What the loop's answers were: with entries, resync (by reason), empty before the wait was over
# (a wake-up that found nothing), empty at the end of the wait, failed.
LP_KINDS=$(awk '$3 == "error" { k = "error" } $3 != "error" && $4 != "-" { k = "resync-" $4 }
  $3 != "error" && $4 == "-" && $3 > 0 { k = "entries" } $3 == 0 && $4 == "-" { k = ($2 >= 19000 ? "timeout" : "empty-early") }
  { n[k]++ } END { for (k in n) printf "%s%s %d", (c++ ? ", " : ""), k, n[k] }' "$WORK/longpoll" 2>/dev/null || echo "?")
# The loop follows nextCursor as a device does (guarantee 5): every message of the group answered to
# a sender reached it, unless a resync answered after that send covers it (the device re-reads
# history then). A message missing with no later resync is a silent gap.
LP_GAPS=0
if [[ -f "$WORK/longpoll-entries" ]]; then
  LAST_RESYNC=$(awk '$4 != "-" && $3 != "error" { t = $1 + $2 } END { print t + 0 }' "$WORK/longpoll")
  while read -r cid seq _ _ _ at; do
    [[ "$cid" == "$GROUP" ]] || continue
    grep -q "^$cid $seq " "$WORK/longpoll-entries" && continue
    ((at <= LAST_RESYNC)) && continue
    LP_GAPS=$((LP_GAPS + 1))
  done <"$WORK/answered"
fi
((LP_GAPS == 0)) || FAILURES+=("the long-poll loop missed $LP_GAPS group messages with no resync after them (a silent gap)")
FAILOVER=$(awk '$1 == "redis_failover" { print $2 }' "$WORK/timeline")
# A 503 is only right while a store truly has no quorum: the killed master's slots have no master
# until its replica is promoted (the failover), plus what the sync-service needs to see it (the
# topology re-read at most a second after a failed call, RedisTopology) and the Redis command
# timeout (2 s) of a command sent just before. The Cassandra ring keeps its quorum (2 of 3) with a
# node down, and a request in flight on the killed node is sent again to another, so none there.
GRACE_503=${CHAOS_503_GRACE_MS:-6000}
UNEXPLAINED_503=""
if [[ "${CHAOS_KILLS:-1}" != 0 && -f "$WORK/errors" ]]; then
  KILL_MS=$(awk '$1 == "redis_kill" { print $3 }' "$WORK/timeline")
  UNEXPLAINED_503=$(awk -v t0="$T0" -v from="${KILL_MS:-0}" -v to="$((${KILL_MS:-0} + ${FAILOVER:-0} + GRACE_503))" \
    '$2 == 503 { t = $1 - t0; if (t < from || t > to) printf "%s%.1f s %s", (n++ ? ", " : ""), t / 1000, $3 }' "$WORK/errors")
  [[ -z "$UNEXPLAINED_503" ]] ||
    FAILURES+=("503s outside the Redis failover window ($((${KILL_MS:-0} / 1000))-$(((${KILL_MS:-0} + ${FAILOVER:-0} + GRACE_503) / 1000)) s): $UNEXPLAINED_503")
fi
RETRIED=$(awk '$5 > 1' "$WORK/answered" | wc -l)
MAXLAT=$(awk '{ print $6 }' "$WORK/answered" | sort -n | tail -n 1)
SUMMARY="sent $SENT answered $ANSWERED lost $LOST duplicated $DUP inbox-missing $MISSING resync $RESYNCS"
SUMMARY+=" retried-sends $RETRIED 503s $E503 (at ${W503} s) other-errors $EOTHER redis-failover-ms ${FAILOVER:-?}"
SUMMARY+=" longpolls $LP_POLLS longpoll-entries $LP_ENTRIES (answers: $LP_KINDS; silent gaps $LP_GAPS)"
SUMMARY+=" longpolls-woken-only-by-timeout $FULLWAITS longpoll-errors: $LP_ERRORS"
SUMMARY+=" timeline: $(awk '$1 != "t0" { printf "%s%s", sep, $0; sep = ", " }' "$WORK/timeline") (work dir $WORK)"
printf '[chaos] %s\n' "$SUMMARY"
if ((${#FAILURES[@]} > 0)); then
  for f in "${FAILURES[@]}"; do printf '[chaos] FAILED: %s\n' "$f" >&2; done
  exit 1
fi
printf '[chaos] passed\n'
