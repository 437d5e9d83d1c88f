#!/usr/bin/env bash
# Contract check: both services from the jars just built, their OpenAPI documents linted with
# Redocly CLI (zero errors), and a realistic client scenario driven with curl through Prism proxies
# (`prism proxy --errors`) that validate every request and response against those documents.
# Fails on any lint error, any Prism violation, or any unexpected status.
#
#   scripts/checks/20-contract.sh
#
# Environment: MESSENGER_REDIS_*/MESSENGER_CASSANDRA_* (as for run.sh), CONTRACT_DATA_DIR
# [<repo>/.data/contract], KEEP=1 keeps the work directory. The npm tools (pinned in
# tools/node/package-lock.json) are installed with `npm ci` into tools/node/node_modules when missing.
# shellcheck disable=SC2317 # cleanup() runs from a trap
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT
cd -- "$REPO_ROOT"

LOG_TAG=contract DIE_WORD=FAILED
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/../lib.sh"

for tool in curl jq node npm; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

free_port() { # any free port, from the kernel (lib.sh's free_port counts up from a given one)
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

DATA_DIR=${CONTRACT_DATA_DIR:-$REPO_ROOT/.data/contract}
rm -rf -- "$DATA_DIR"
mkdir -p -- "$DATA_DIR"
WORK=$DATA_DIR/work
mkdir -p -- "$WORK"

TOOLS=$REPO_ROOT/tools/node
if [[ ! -x "$TOOLS/node_modules/.bin/prism" || ! -x "$TOOLS/node_modules/.bin/redocly" ]]; then
  log "installing the pinned npm tools (npm ci in tools/node)"
  npm ci --prefix "$TOOLS" --no-audit --no-fund --loglevel=error >/dev/null
fi
PRISM=$TOOLS/node_modules/.bin/prism
REDOCLY=$TOOLS/node_modules/.bin/redocly

SYNC_PORT=$(free_port)
HISTORY_PORT=$(free_port)
SYNC_PROXY=$(free_port)
HISTORY_PROXY=$(free_port)
RUN_PID=""
PRISM_PIDS=()
cleanup() {
  local rc=$? pid
  for pid in "${PRISM_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then
    kill -TERM "$RUN_PID" 2>/dev/null || true
    wait "$RUN_PID" 2>/dev/null || true
  fi
  if ((rc != 0)); then
    log "logs: $DATA_DIR/logs, prism: $WORK/prism-*.log"
  elif [[ "${KEEP:-0}" != 1 ]]; then
    rm -rf -- "$WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the services ---------------------------------------------------------------------------
# A keyspace of its own, so that the check never mixes with other data in the same Cassandra;
# a pull limit smaller than the default (burst 30, 1/s) so that the scenario sees a 429 quickly.
log "starting both services (sync $SYNC_PORT, history $HISTORY_PORT)"
SKIP_BUILD=1 SYNC_PORT=$SYNC_PORT HISTORY_PORT=$HISTORY_PORT MESSENGER_DATA_DIR=$DATA_DIR \
  MESSENGER_CASSANDRA_KEYSPACE=contract_$(date +%s)_$$ \
  MESSENGER_RATE_LIMIT_PULLS_BURST=30 MESSENGER_RATE_LIMIT_PULLS_PER_SECOND=1 \
  ./scripts/run.sh >"$DATA_DIR/run.out" 2>&1 </dev/null &
RUN_PID=$!
deadline=$((SECONDS + 300))
until grep -q '\[run\]  ready' "$DATA_DIR/run.out" 2>/dev/null; do
  kill -0 "$RUN_PID" 2>/dev/null || die "run.sh exited during start-up: $(tail -n 20 "$DATA_DIR/run.out")"
  ((SECONDS < deadline)) || die "the services did not start within 300 s"
  sleep 1
done
SYNC=http://127.0.0.1:$SYNC_PORT
HISTORY=http://127.0.0.1:$HISTORY_PORT

# --- the documents and the lint -------------------------------------------------------------
curl -fsS "$SYNC/v3/api-docs" | jq . >"$WORK/sync.json"
curl -fsS "$HISTORY/v3/api-docs" | jq . >"$WORK/history.json"
log "OpenAPI documents: sync $(jq '.paths | length' "$WORK/sync.json") paths, history $(jq '.paths | length' "$WORK/history.json") paths"
for doc in sync history; do
  if ! "$REDOCLY" lint --config "$TOOLS/redocly.yaml" --format=stylish "$WORK/$doc.json" >"$WORK/lint-$doc.log" 2>&1; then
    cat "$WORK/lint-$doc.log" >&2
    die "redocly lint of the $doc-service document has errors"
  fi
  log "redocly lint $doc-service: $(grep -Eo '[0-9]+ (warnings?|errors?)' "$WORK/lint-$doc.log" | tr '\n' ' ' || true)"
  grep -Eq 'Woohoo|valid' "$WORK/lint-$doc.log" || grep -q warning "$WORK/lint-$doc.log" ||
    die "unexpected redocly output: $(cat "$WORK/lint-$doc.log")"
done

# --- the proxies ----------------------------------------------------------------------------
start_prism() { # name spec upstream port
  "$PRISM" proxy "$2" "$3" --errors --host 127.0.0.1 --port "$4" >"$WORK/prism-$1.log" 2>&1 &
  PRISM_PIDS+=("$!")
}
start_prism sync "$WORK/sync.json" "$SYNC" "$SYNC_PROXY"
start_prism history "$WORK/history.json" "$HISTORY" "$HISTORY_PROXY"
for port in "$SYNC_PROXY" "$HISTORY_PROXY"; do
  deadline=$((SECONDS + 60))
  until curl -s -o /dev/null "http://127.0.0.1:$port/"; do
    ((SECONDS < deadline)) || die "prism did not listen on $port within 60 s"
    sleep 0.5
  done
done
S=http://127.0.0.1:$SYNC_PROXY
H=http://127.0.0.1:$HISTORY_PROXY
log "prism proxies: sync $S -> $SYNC, history $H -> $HISTORY"

# --- the scenario ---------------------------------------------------------------------------
token() { # user device
  curl -fsS -H 'Content-Type: application/json' \
    -d "{\"userId\":\"$1\",\"deviceId\":\"$2\"}" "$SYNC/dev/tokens" | jq -r .token
}
RUN=$(date +%s)$$
ALICE=alice_$RUN
BOB=bob_$RUN
CAROL=carol_$RUN
DAVE=dave_$RUN
A1=$(token "$ALICE" phone)
A2=$(token "$ALICE" laptop)
B1=$(token "$BOB" phone)
C1=$(token "$CAROL" phone)
FORGED=${A1%.*}.c2lnbmF0dXJlLWZyb20tc29tZXdoZXJlLWVsc2U

STEPS=0
BODY=$WORK/body.json
# call <expected status> <token|-> <method> <url> [json body]: the answer's body is left in $BODY.
call() {
  local expected=$1 tok=$2 method=$3 url=$4 data=${5:-} status
  local -a args=(-sS -o "$BODY" -w '%{http_code}' -X "$method" -H 'Accept: application/json, application/problem+json')
  [[ "$tok" == - ]] || args+=(-H "Authorization: Bearer $tok")
  [[ -z "$data" ]] || args+=(-H 'Content-Type: application/json' --data-binary "$data")
  status=$(curl "${args[@]}" "$url")
  STEPS=$((STEPS + 1))
  if [[ "$status" != "$expected" ]]; then
    die "$method ${url#http://127.0.0.1:*/} answered $status, expected $expected: $(head -c 600 "$BODY")"
  fi
  printf '[contract]   %s %-4s %s\n' "$status" "$method" "${url#http://127.0.0.1:*/}"
}
field() { jq -r "$1" "$BODY"; }

log "scenario"
# new devices learn the head
call 200 "$A1" GET "$S/v1/sync"
[[ $(field .resync.reason) == new_device ]] || die "a new device must get resync new_device"
A1_CURSOR=$(field .resync.headCursor)
call 200 "$A2" GET "$S/v1/sync?limit=10"
call 200 "$B1" GET "$S/v1/sync"
B1_CURSOR=$(field .resync.headCursor)

# conversations: a direct one (created once), a group
call 201 "$A1" POST "$S/v1/conversations" "{\"type\":\"direct\",\"members\":[\"$BOB\"]}"
DIRECT=$(field .conversationId)
call 200 "$B1" POST "$S/v1/conversations" "{\"type\":\"direct\",\"members\":[\"$ALICE\"]}"
[[ $(field .conversationId) == "$DIRECT" ]] || die "the direct conversation must be created once"
call 201 "$A1" POST "$S/v1/conversations" "{\"type\":\"group\",\"members\":[\"$BOB\",\"$CAROL\"],\"title\":\"trip\"}"
GROUP=$(field .conversationId)
call 200 "$A1" POST "$S/v1/conversations/$GROUP/members" "{\"add\":[\"$DAVE\"],\"remove\":[\"$CAROL\"]}"

# messages, a retry, a conflicting retry
call 201 "$A1" POST "$S/v1/conversations/$DIRECT/messages" '{"clientMsgId":"m-1","text":"hello bob"}'
SEQ1=$(field .seq)
call 200 "$A1" POST "$S/v1/conversations/$DIRECT/messages" '{"clientMsgId":"m-1","text":"hello bob"}'
[[ $(field .seq) == "$SEQ1" ]] || die "a retry must return the original seq"
call 409 "$A1" POST "$S/v1/conversations/$DIRECT/messages" '{"clientMsgId":"m-1","text":"something else"}'
call 201 "$B1" POST "$S/v1/conversations/$DIRECT/messages" '{"clientMsgId":"b-1","text":"hi alice 👋 مرحبا"}'
SEQ2=$(field .seq)
call 201 "$A1" POST "$S/v1/conversations/$DIRECT/messages" '{"clientMsgId":"m-2","text":"to be recalled"}'
SEQ3=$(field .seq)
call 201 "$A1" POST "$S/v1/conversations/$GROUP/messages" '{"clientMsgId":"g-1","text":"hello group"}'

# operations: edit, recall, delete for me, read (and a retry of one)
call 201 "$A1" POST "$S/v1/conversations/$DIRECT/operations" "{\"clientOpId\":\"o-1\",\"type\":\"edit\",\"targetSeq\":$SEQ1,\"text\":\"hello, bob\"}"
call 200 "$A1" POST "$S/v1/conversations/$DIRECT/operations" "{\"clientOpId\":\"o-1\",\"type\":\"edit\",\"targetSeq\":$SEQ1,\"text\":\"hello, bob\"}"
call 201 "$A1" POST "$S/v1/conversations/$DIRECT/operations" "{\"clientOpId\":\"o-2\",\"type\":\"recall\",\"targetSeq\":$SEQ3}"
call 201 "$B1" POST "$S/v1/conversations/$DIRECT/operations" "{\"clientOpId\":\"o-3\",\"type\":\"delete_for_me\",\"targetSeq\":$SEQ1}"
call 201 "$B1" POST "$S/v1/conversations/$DIRECT/operations" "{\"clientOpId\":\"o-4\",\"type\":\"read\",\"upToSeq\":$SEQ3}"
call 403 "$B1" POST "$S/v1/conversations/$DIRECT/operations" "{\"clientOpId\":\"o-5\",\"type\":\"edit\",\"targetSeq\":$SEQ1,\"text\":\"not mine\"}"
call 409 "$A1" POST "$S/v1/conversations/$DIRECT/operations" "{\"clientOpId\":\"o-6\",\"type\":\"edit\",\"targetSeq\":$SEQ3,\"text\":\"recalled\"}"

# pulls: from the head, paged, a long-poll, then ack; a stale cursor gets a gap resync
call 200 "$A1" GET "$S/v1/sync?cursor=$A1_CURSOR&limit=3"
[[ $(field '.entries | length') == 3 && $(field .hasMore) == true ]] || die "a page of 3 with more expected"
call 200 "$A1" GET "$S/v1/sync?cursor=$(field .nextCursor)&limit=500"
A1_NEXT=$(field .nextCursor)
call 200 "$A1" GET "$S/v1/sync?cursor=$A1_NEXT&waitMs=200"
[[ $(field '.entries | length') == 0 ]] || die "nothing new expected"
call 204 "$A1" POST "$S/v1/sync/ack" "{\"cursor\":\"$A1_NEXT\"}"
call 204 "$A1" POST "$S/v1/sync/ack" "{\"cursor\":\"$A1_CURSOR\"}"
call 200 "$A1" GET "$S/v1/sync"
call 200 "$B1" GET "$S/v1/sync?cursor=$B1_CURSOR"
call 200 "$A2" GET "$S/v1/sync?cursor=1000-0"
[[ $(field .resync.reason) == gap ]] || die "a cursor older than the inbox must get a gap resync"
call 400 "$A1" POST "$S/v1/sync/ack" '{"cursor":"99999999999999-0"}'

# history: list, one, pages
call 200 "$A1" GET "$H/v1/conversations"
[[ $(field 'length') -ge 2 ]] || die "alice has two conversations"
call 200 "$B1" GET "$H/v1/conversations/$DIRECT"
call 200 "$A1" GET "$H/v1/conversations/$DIRECT/messages"
[[ $(field ".messages[] | select(.seq == $SEQ3) | .recalled") == true ]] || die "a recalled message pages as a tombstone"
call 200 "$B1" GET "$H/v1/conversations/$DIRECT/messages?limit=2"
call 200 "$A1" GET "$H/v1/conversations/$DIRECT/messages?before=$SEQ3&limit=1"
call 200 "$A1" GET "$H/v1/conversations/$DIRECT/messages?after=0"
call 200 "$A1" GET "$H/v1/conversations/$DIRECT/messages?around=$SEQ2&limit=3"
call 200 "$A2" GET "$H/v1/conversations/$GROUP/messages"

# refusals the documents promise (without a token Prism answers 401 itself: ask the service)
status=$(curl -sS -o "$BODY" -w '%{http_code}' "$SYNC/v1/sync")
[[ "$status" == 401 && $(field .type) == urn:messenger:problem:unauthorized ]] ||
  die "an anonymous pull must be 401 unauthorized, got $status $(cat "$BODY")"
call 401 "$FORGED" GET "$H/v1/conversations"
call 404 "$C1" GET "$H/v1/conversations/$DIRECT"
call 404 "$C1" POST "$S/v1/conversations/$DIRECT/messages" '{"clientMsgId":"c-1","text":"let me in"}'
call 404 "$C1" GET "$H/v1/conversations/$GROUP/messages"
call 400 "$A1" GET "$H/v1/conversations/$DIRECT/messages?before=2&after=1"
call 400 "$A1" POST "$S/v1/conversations/$DIRECT/operations" '{"clientOpId":"o-7","type":"delete_for_me","targetSeq":999999}'

# the pull limit of one device (burst 30 here): a 429 with Retry-After, the other device unaffected
limited=0
for _ in $(seq 1 40); do
  status=$(curl -sS -o "$BODY" -D "$WORK/headers" -w '%{http_code}' -H "Authorization: Bearer $A2" "$S/v1/sync?cursor=$A1_NEXT")
  STEPS=$((STEPS + 1))
  if [[ "$status" == 429 ]]; then
    limited=1
    grep -qi '^retry-after: [1-9]' "$WORK/headers" || die "a 429 must carry Retry-After"
    [[ $(field .type) == urn:messenger:problem:rate-limited ]] || die "a 429 must be rate-limited"
    break
  fi
  [[ "$status" == 200 ]] || die "pull answered $status"
done
((limited == 1)) || die "40 quick pulls of one device were never limited"
log "  429 rate-limited with Retry-After after a burst of pulls"
call 200 "$A1" GET "$S/v1/sync?cursor=$A1_NEXT"

# --- verdict ----------------------------------------------------------------------------------
sleep 1
if grep -qi 'violation' "$WORK"/prism-*.log; then
  grep -i -B2 -A6 'violation' "$WORK"/prism-*.log | head -n 80 >&2
  die "prism reported violations"
fi
# Any other error Prism raised itself (a request it refused) is a failure too, except the
# readiness probe on / above.
if grep '✖' "$WORK"/prism-*.log | grep -v 'get / ✖'; then
  die "prism refused requests"
fi
log "ok: $STEPS requests through prism, 0 violations; both documents lint without errors"
