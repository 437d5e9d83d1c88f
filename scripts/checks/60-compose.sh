#!/usr/bin/env bash
# The Docker Compose stack, run for real (docker-compose.yml, Dockerfile):
#   1. a Docker engine and the images (scripts/docker-local.sh: installs/starts the engine when
#      needed and builds local stand-ins for the official images once per machine; with
#      MESSENGER_LOCAL_IMAGES=0 the official images are used as they are);
#   2. builds both service images from the working tree (the Dockerfile's Maven build stage);
#   3. brings the stack up without Grafana (redis, cassandra, history-service, sync-service,
#      prometheus) as its own Compose project on published ports of its own, with fresh random
#      secrets, and waits until both services' container health checks (readiness) pass;
#   4. a black-box scenario through the published ports, with HS256 tokens minted here from the
#      secrets (the stack runs without the dev token endpoint): two devices of alice and bob pull
#      first, bob creates a direct conversation and sends, both of alice's devices pull the message,
#      the phone acks and its next cursor-less pull starts after it, the history page has it;
#   5. asks the Compose Prometheus (HTTP API) for up == 1 of both services;
#   6. prints the containers' memory, then `down -v` (containers, network, volumes) on any exit.
# Environment: COMPOSE_PROJECT_NAME [messenger-check-<pid>], CHECK_SYNC_PORT, CHECK_HISTORY_PORT,
# CHECK_PROMETHEUS_PORT [the first free ports from 28081, 28082, 29090; a port given must be free],
# KEEP_STACK=1 leaves it running.
# Needs root (or a running engine and built images), curl, jq, openssl.
# shellcheck disable=SC2317 # cleanup() runs from a trap
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
cd -- "$REPO_ROOT"

T0=$SECONDS
LOG_TAG=compose
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/../lib.sh"
# its own log: the seconds since the start before each line
log() { printf '[compose] +%ss %s\n' "$((SECONDS - T0))" "$*"; }
for tool in curl jq openssl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (Debian: apt-get install $tool)"
done

# --- 1. engine and images ------------------------------------------------------------------------
env_lines=$("$REPO_ROOT/scripts/docker-local.sh" all) || fail "scripts/docker-local.sh failed"
eval "$env_lines"
read -r -a COMPOSE <<<"$("$REPO_ROOT/scripts/docker-local.sh" compose)" ||
  fail "neither 'docker compose' nor docker-compose is installed"
export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0
log "engine and images ready; compose: ${COMPOSE[*]}; images: redis $MESSENGER_REDIS_IMAGE, cassandra $MESSENGER_CASSANDRA_IMAGE, prometheus $MESSENGER_PROMETHEUS_IMAGE"

# Each run is its own Compose project, messenger-check-<pid of this script>, so that two runs on one
# machine (a developer's and CI's) never share containers or ports. A project of a run whose process
# is gone (killed, machine cut off) is taken down first: it would hold ports and memory.
for project in $(docker ps -a --filter label=com.docker.compose.project --format '{{.Label "com.docker.compose.project"}}' | sort -u); do
  [[ "$project" =~ ^messenger-check-([0-9]+)$ ]] || continue
  kill -0 "${BASH_REMATCH[1]}" 2>/dev/null && continue
  log "taking down the leftover project $project of a run that is gone"
  COMPOSE_PROJECT_NAME=$project "${COMPOSE[@]}" -f "$REPO_ROOT/docker-compose.yml" down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
done
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-messenger-check-$$}
# Ports: the ones asked for must be free; otherwise the first free ones from 28081 / 28082 / 29090.
port_or_fail() { # VALUE NAME: VALUE, or fail when it is taken
  port_free "$1" || fail "port $1 ($2) is taken"
  printf '%s' "$1"
}
if [[ -n "${CHECK_SYNC_PORT:-}" ]]; then SYNC_HOST_PORT=$(port_or_fail "$CHECK_SYNC_PORT" CHECK_SYNC_PORT); else SYNC_HOST_PORT=$(pick_port 28081); fi
if [[ -n "${CHECK_HISTORY_PORT:-}" ]]; then HISTORY_HOST_PORT=$(port_or_fail "$CHECK_HISTORY_PORT" CHECK_HISTORY_PORT); else HISTORY_HOST_PORT=$(pick_port 28082 "$SYNC_HOST_PORT"); fi
if [[ -n "${CHECK_PROMETHEUS_PORT:-}" ]]; then PROMETHEUS_HOST_PORT=$(port_or_fail "$CHECK_PROMETHEUS_PORT" CHECK_PROMETHEUS_PORT); else PROMETHEUS_HOST_PORT=$(pick_port 29090 "$SYNC_HOST_PORT" "$HISTORY_HOST_PORT"); fi
export SYNC_HOST_PORT HISTORY_HOST_PORT PROMETHEUS_HOST_PORT
log "project $COMPOSE_PROJECT_NAME on ports sync $SYNC_HOST_PORT, history $HISTORY_HOST_PORT, prometheus $PROMETHEUS_HOST_PORT"
# Fresh secrets for this stack; the tokens below are signed with them.
MESSENGER_JWT_SECRET=check-client-$(openssl rand -hex 24)
MESSENGER_INTERNAL_SECRET=check-internal-$(openssl rand -hex 24)
export MESSENGER_JWT_SECRET MESSENGER_INTERNAL_SECRET

compose() { "${COMPOSE[@]}" -f "$REPO_ROOT/docker-compose.yml" "$@"; }

cleanup() {
  local rc=$?
  trap '' INT TERM
  if ((rc != 0)); then
    log "containers:"
    compose ps 2>&1 || true
    for service in sync-service history-service cassandra redis prometheus; do
      log "logs of $service (tail):"
      compose logs --no-color --tail=25 "$service" 2>&1 || true
    done
  fi
  if [[ "${KEEP_STACK:-0}" == 1 ]]; then
    log "KEEP_STACK=1: left running until the next run of this check (down now: ${COMPOSE[*]} -p $COMPOSE_PROJECT_NAME down -v)"
  else
    compose down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    # the untagged layers of earlier builds (the Maven stage holds a whole Maven repository)
    docker image prune -f >/dev/null 2>&1 || true
    log "stack down (containers, network and volumes removed)"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- 2. service images ---------------------------------------------------------------------------
t=$SECONDS
compose build sync-service history-service >"${TMPDIR:-/tmp}/messenger-compose-build.log" 2>&1 || {
  tail -n 40 "${TMPDIR:-/tmp}/messenger-compose-build.log" >&2
  fail "building the service images failed"
}
log "service images built in $((SECONDS - t)) s"

# --- 3. up, healthy ------------------------------------------------------------------------------
t=$SECONDS
# `up` waits for the health of each service's dependencies (depends_on) and gives up when one is not
# healthy in time, e.g. a history-service whose schema migration timed out on a loaded machine and
# that its restart policy is restarting: `up` again (it is idempotent) a few times before failing.
UP_LOG=${TMPDIR:-/tmp}/messenger-compose-up.log
for attempt in 1 2 3; do
  if compose up -d --no-build redis cassandra history-service sync-service prometheus >"$UP_LOG" 2>&1; then
    break
  fi
  ((attempt < 3)) || { cat "$UP_LOG" >&2; fail "docker compose up failed 3 times"; }
  log "compose up gave up (attempt $attempt): $(tail -n 1 "$UP_LOG"); again"
  sleep 5
done
declare -A CONTAINER=()
for service in redis cassandra history-service sync-service prometheus; do
  CONTAINER[$service]=$(compose ps -q "$service")
done
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "${CONTAINER[$1]}" 2>/dev/null || echo missing; }
deadline=$((SECONDS + ${CHECK_HEALTH_TIMEOUT:-420}))
while :; do
  h_hist=$(health history-service)
  h_sync=$(health sync-service)
  [[ "$h_hist" == healthy && "$h_sync" == healthy ]] && break
  ((SECONDS < deadline)) || fail "not healthy in time: history-service $h_hist, sync-service $h_sync, cassandra $(health cassandra), redis $(health redis)"
  sleep 2
done
log "stack healthy in $((SECONDS - t)) s (redis $(health redis), cassandra $(health cassandra), history-service, sync-service)"

# --- 4. black-box scenario -----------------------------------------------------------------------
SYNC=http://127.0.0.1:$SYNC_HOST_PORT
HIST=http://127.0.0.1:$HISTORY_HOST_PORT
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
token() { # HS256 client token: sub = user, did = device, exp in an hour
  local header payload sig
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"sub":"%s","did":"%s","exp":%s}' "$1" "$2" "$(($(date +%s) + 3600))" | b64url)
  sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$MESSENGER_JWT_SECRET" -binary | b64url)
  printf '%s.%s.%s' "$header" "$payload" "$sig"
}
BODY=$(mktemp "${TMPDIR:-/tmp}/messenger-compose-body.XXXXXX")
# call <expected status> <token> <method> <url> [json]: prints the body, fails on another status
call() {
  local want=$1 tok=$2 method=$3 url=$4 data=${5:-} code
  local -a args=(-sS -o "$BODY" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $tok" --max-time 30)
  [[ -n "$data" ]] && args+=(-H 'Content-Type: application/json' --data "$data")
  code=$(curl "${args[@]}" "$url") || fail "$method $url: curl failed"
  [[ "$code" == "$want" ]] || fail "$method $url: HTTP $code, expected $want: $(head -c 400 "$BODY")"
  cat "$BODY"
}
run_id=$(openssl rand -hex 4)
ALICE=alice-$run_id BOB=bob-$run_id
PHONE=$(token "$ALICE" phone)
LAPTOP=$(token "$ALICE" laptop)
BOB_PHONE=$(token "$BOB" phone)

P_CUR=$(call 200 "$PHONE" GET "$SYNC/v1/sync" | jq -er '.resync.headCursor')
L_CUR=$(call 200 "$LAPTOP" GET "$SYNC/v1/sync" | jq -er '.resync.headCursor')
log "first pulls of alice's phone and laptop: resync (new_device), head cursors $P_CUR / $L_CUR"

CID=$(call 201 "$BOB_PHONE" POST "$SYNC/v1/conversations" "{\"type\":\"direct\",\"members\":[\"$ALICE\"]}" |
  jq -er .conversationId)
SEQ=$(call 201 "$BOB_PHONE" POST "$SYNC/v1/conversations/$CID/messages" \
  '{"clientMsgId":"compose-0001","text":"hello through compose"}' | jq -er .seq)
[[ "$SEQ" == 1 ]] || fail "the first message got seq $SEQ"
log "bob created $CID and sent seq $SEQ (201)"

R=$(call 200 "$PHONE" GET "$SYNC/v1/sync?cursor=$P_CUR")
jq -e '[.entries[] | select(.kind == "message" and .seq == 1 and .text == "hello through compose")] | length == 1' <<<"$R" >/dev/null ||
  fail "the phone's pull lacks the message: $R"
P_NEXT=$(jq -er .nextCursor <<<"$R")
R=$(call 200 "$LAPTOP" GET "$SYNC/v1/sync?cursor=$L_CUR")
jq -e '[.entries[] | select(.kind == "message" and .text == "hello through compose")] | length == 1' <<<"$R" >/dev/null ||
  fail "the laptop's pull lacks the message: $R"
log "both devices pulled the message"

call 204 "$PHONE" POST "$SYNC/v1/sync/ack" "{\"cursor\":\"$P_NEXT\"}" >/dev/null
R=$(call 200 "$PHONE" GET "$SYNC/v1/sync")
jq -e --arg c "$P_NEXT" '(.entries | length) == 0 and .nextCursor == $c and .resync == null' <<<"$R" >/dev/null ||
  fail "after the ack the phone's cursor-less pull should be empty at $P_NEXT: $R"
log "the phone acked $P_NEXT (204); its next pull starts there"

R=$(call 200 "$LAPTOP" GET "$HIST/v1/conversations/$CID/messages?limit=10")
jq -e '.messages | length == 1 and .[0].seq == 1 and .[0].senderId != null and .[0].text == "hello through compose"' <<<"$R" >/dev/null ||
  fail "history page: $R"
log "history page from the history-service has seq 1 with its text"

# --- 5. Prometheus scrapes both services ---------------------------------------------------------
PROM=http://127.0.0.1:$PROMETHEUS_HOST_PORT
deadline=$((SECONDS + 90))
while :; do
  ups=$(curl -s --max-time 5 "$PROM/api/v1/query" --data-urlencode 'query=up{job=~"sync-service|history-service"}' |
    jq -c '[.data.result[]? | {job: .metric.job, up: .value[1]}] | sort_by(.job)' 2>/dev/null || echo '[]')
  [[ "$ups" == '[{"job":"history-service","up":"1"},{"job":"sync-service","up":"1"}]' ]] && break
  ((SECONDS < deadline)) || fail "Prometheus does not see both services up: $ups"
  sleep 3
done
log "Prometheus (compose) scrapes both: $ups"

# --- 6. memory, for docs/operations.md -----------------------------------------------------------
docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' "${CONTAINER[@]}" 2>/dev/null |
  sed 's/^/[compose]   memory /' || true
rm -f -- "$BODY"
log "passed"
