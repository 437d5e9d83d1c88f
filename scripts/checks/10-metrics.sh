#!/usr/bin/env bash
# Metrics, alerts and request ids against the real services (docs/metrics.md):
#   1. starts both services from the built jars (scripts/run.sh, SKIP_BUILD=1) on free ports, with
#      their own data dir <repo>/.data/checks-metrics, and a real Prometheus (Debian's `prometheus`)
#      on a free loopback port scraping both every second with ops/prometheus/alerts.yml loaded;
#   2. runs a short real workload with curl (tokens from the local profile's POST /dev/tokens,
#      a conversation, messages, pulls, long-polls, acks, operations, history pages);
#   3. checks that a request id sent to the sync-service appears in both services' logs;
#   4. checks both /actuator/prometheus with `promtool check metrics` and that every catalogue
#      metric recorded by the workload is there;
#   5. asks Prometheus for the p99 pull latency (a number, not NaN), both targets up, and the
#      alert rules loaded and evaluated without error.
# Everything it started is stopped on exit. Needs curl, jq, promtool and prometheus.
#
# Environment: CHECK_PORT_BASE [18581] first port tried (sync; history and Prometheus follow),
# KEEP_CHECK_DATA=1 keeps the Prometheus data dir for a look afterwards.
# shellcheck disable=SC2317 # cleanup() runs from a trap
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/../.." && pwd -P)
cd -- "$REPO_ROOT"

LOG_TAG=metrics
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/../lib.sh"

for tool in curl jq promtool prometheus; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing (Debian: apt-get install curl jq prometheus)"
done

DATA_DIR=$REPO_ROOT/.data/checks-metrics
mkdir -p -- "$DATA_DIR"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/messenger-metrics.XXXXXX")
RUN_PID=""
PROM_PID=""
BG_PIDS=()

cleanup() {
  local rc=$?
  trap '' INT TERM
  local pid
  for pid in "${BG_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [[ -n "$PROM_PID" ]] && kill -0 "$PROM_PID" 2>/dev/null; then
    kill -TERM "$PROM_PID" 2>/dev/null || true
    wait "$PROM_PID" 2>/dev/null || true
  fi
  if [[ -n "$RUN_PID" ]] && kill -0 "$RUN_PID" 2>/dev/null; then
    kill -TERM "$RUN_PID" 2>/dev/null || true # run.sh stops both services (and what infra.sh started)
    wait "$RUN_PID" 2>/dev/null || true
  fi
  if ((rc != 0)); then
    log "run.sh output (tail):"
    tail -n 40 "$DATA_DIR/run.out" 2>/dev/null || true
    log "prometheus log (tail):"
    tail -n 20 "$WORK/prometheus.log" 2>/dev/null || true
  fi
  if [[ "${KEEP_CHECK_DATA:-0}" == 1 ]]; then
    log "kept $WORK"
  else
    rm -rf -- "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- free ports ------------------------------------------------------------------------------
BASE=${CHECK_PORT_BASE:-18581}
SYNC_PORT=$(pick_port "$BASE")
HISTORY_PORT=$(pick_port $((SYNC_PORT + 1)) "$SYNC_PORT")
PROM_PORT=$(pick_port $((HISTORY_PORT + 1)) "$SYNC_PORT" "$HISTORY_PORT")
SYNC=http://127.0.0.1:$SYNC_PORT
HISTORY=http://127.0.0.1:$HISTORY_PORT
PROM=http://127.0.0.1:$PROM_PORT
log "ports: sync $SYNC_PORT, history $HISTORY_PORT, prometheus $PROM_PORT"

# --- services --------------------------------------------------------------------------------
SKIP_BUILD=1 SYNC_PORT=$SYNC_PORT HISTORY_PORT=$HISTORY_PORT MESSENGER_DATA_DIR=$DATA_DIR \
  SPRING_PROFILES_ACTIVE=local MESSENGER_HISTORY_BASE_URL=$HISTORY \
  "$REPO_ROOT/scripts/run.sh" >"$DATA_DIR/run.out" 2>&1 </dev/null &
RUN_PID=$!

up() { curl -fsS -m 2 "$1/actuator/health" 2>/dev/null | grep -q '"status" *: *"UP"'; }
for ((i = 0; i < 480; i++)); do
  up "$SYNC" && up "$HISTORY" && break
  kill -0 "$RUN_PID" 2>/dev/null || fail "scripts/run.sh exited during start-up"
  sleep 0.5
done
up "$SYNC" && up "$HISTORY" || fail "the services were not UP within 240 s"
log "both services UP"

# --- Prometheus ------------------------------------------------------------------------------
cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $REPO_ROOT/ops/prometheus/alerts.yml
scrape_configs:
  - job_name: sync-service
    metrics_path: /actuator/prometheus
    static_configs:
      - targets: ["127.0.0.1:$SYNC_PORT"]
  - job_name: history-service
    metrics_path: /actuator/prometheus
    static_configs:
      - targets: ["127.0.0.1:$HISTORY_PORT"]
EOF
promtool check config "$WORK/prometheus.yml" >/dev/null || fail "generated prometheus.yml is invalid"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 </dev/null &
PROM_PID=$!
for ((i = 0; i < 60; i++)); do
  curl -fsS -m 2 "$PROM/-/ready" >/dev/null 2>&1 && break
  kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus exited at start-up"
  sleep 0.5
done
curl -fsS -m 2 "$PROM/-/ready" >/dev/null || fail "prometheus not ready within 30 s"
log "prometheus $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') ready on $PROM_PORT"

# --- workload --------------------------------------------------------------------------------
RUN_ID=$(date +%s)$RANDOM
ALICE=mx-alice-$RUN_ID
BOB=mx-bob-$RUN_ID
token() {
  curl -fsS -m 5 -H 'Content-Type: application/json' \
    -d "{\"userId\":\"$1\",\"deviceId\":\"$2\"}" "$SYNC/dev/tokens" | jq -er .token
}
A=$(token "$ALICE" phone) || fail "POST /dev/tokens failed"
B=$(token "$BOB" laptop)
api() { # token method url [json] -> body; fails on a non-2xx answer
  local t=$1 m=$2 u=$3
  if (($# > 3)); then
    curl -fsS -m 40 -X "$m" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' \
      -d "$4" "$u"
  else
    curl -fsS -m 40 -X "$m" -H "Authorization: Bearer $t" "$u"
  fi
}

CID=$(api "$A" POST "$SYNC/v1/conversations" "{\"type\":\"direct\",\"members\":[\"$BOB\"]}" |
  jq -er .conversationId) || fail "creating a conversation failed"
api "$A" GET "$SYNC/v1/sync" >/dev/null # a new device: resync new_device
api "$B" GET "$SYNC/v1/sync" >/dev/null
for n in 1 2 3 4 5 6; do
  api "$A" POST "$SYNC/v1/conversations/$CID/messages" "{\"clientMsgId\":\"m$n\",\"text\":\"hello $n\"}" >/dev/null
done
api "$A" POST "$SYNC/v1/conversations/$CID/messages" '{"clientMsgId":"m1","text":"hello 1"}' >/dev/null # a retry

# A request id followed from the sync-service into the history-service.
REQUEST_ID=test-$RUN_ID
curl -fsS -m 10 -H "Authorization: Bearer $B" -H 'Content-Type: application/json' \
  -H "X-Request-Id: $REQUEST_ID" -d '{"clientMsgId":"traced","text":"follow me"}' \
  "$SYNC/v1/conversations/$CID/messages" >/dev/null || fail "the traced send failed"

PAGE=$(api "$B" GET "$SYNC/v1/sync?cursor=0-0&limit=100")
HEAD=$(jq -er .nextCursor <<<"$PAGE")
api "$B" POST "$SYNC/v1/sync/ack" "{\"cursor\":\"$HEAD\"}" >/dev/null
api "$B" POST "$SYNC/v1/sync/ack" "{\"cursor\":\"$HEAD\"}" >/dev/null
api "$B" GET "$SYNC/v1/sync?cursor=$HEAD&waitMs=200" >/dev/null # a long-poll that times out
api "$B" GET "$SYNC/v1/sync?cursor=1-0" >/dev/null || true      # an old cursor: resync gap
# A long-poll woken by a new message.
api "$B" GET "$SYNC/v1/sync?cursor=$HEAD&waitMs=10000" >"$WORK/woken.json" &
WOKEN_PID=$!
sleep 0.5
api "$A" POST "$SYNC/v1/conversations/$CID/messages" '{"clientMsgId":"wake","text":"wake up"}' >/dev/null
wait "$WOKEN_PID" || fail "the woken long-poll failed"
[[ $(jq '.entries | length' "$WORK/woken.json") -ge 1 ]] || fail "the long-poll was not woken by a new message"

api "$A" POST "$SYNC/v1/conversations/$CID/operations" '{"clientOpId":"o1","type":"edit","targetSeq":1,"text":"edited"}' >/dev/null
api "$A" POST "$SYNC/v1/conversations/$CID/operations" '{"clientOpId":"o2","type":"recall","targetSeq":2}' >/dev/null
api "$B" POST "$SYNC/v1/conversations/$CID/operations" '{"clientOpId":"o3","type":"delete_for_me","targetSeq":3}' >/dev/null
api "$B" POST "$SYNC/v1/conversations/$CID/operations" '{"clientOpId":"o4","type":"read","upToSeq":4}' >/dev/null
api "$A" GET "$HISTORY/v1/conversations" >/dev/null
api "$A" GET "$HISTORY/v1/conversations/$CID/messages" >/dev/null
api "$A" GET "$HISTORY/v1/conversations/$CID/messages?before=5&limit=2" >/dev/null
api "$A" GET "$HISTORY/v1/conversations/$CID/messages?after=2&limit=2" >/dev/null
api "$B" GET "$HISTORY/v1/conversations/$CID/messages?around=3&limit=3" >/dev/null
log "workload done (conversation $CID)"

# Pulls keep coming while Prometheus scrapes, so the rate() of the pull histogram is not empty.
(
  while :; do
    curl -fsS -m 5 -H "Authorization: Bearer $A" "$SYNC/v1/sync?limit=10" >/dev/null 2>&1 || true
    sleep 0.1
  done
) &
BG_PIDS+=("$!")

# --- the request id in both logs ---------------------------------------------------------------
for ((i = 0; i < 20; i++)); do
  grep -q -- "$REQUEST_ID" "$DATA_DIR/logs/sync-service.log" &&
    grep -q -- "$REQUEST_ID" "$DATA_DIR/logs/history-service.log" && break
  sleep 0.25
done
SYNC_LINE=$(grep -- "$REQUEST_ID" "$DATA_DIR/logs/sync-service.log" | head -n 1) ||
  fail "request id $REQUEST_ID not in the sync-service log"
HISTORY_LINE=$(grep -- "$REQUEST_ID" "$DATA_DIR/logs/history-service.log" | head -n 1) ||
  fail "request id $REQUEST_ID not in the history-service log"
log "request id $REQUEST_ID in both logs:"
printf '    sync-service:    %s\n    history-service: %s\n' "${SYNC_LINE:0:220}" "${HISTORY_LINE:0:220}"

# --- exposition --------------------------------------------------------------------------------
sleep 0.5 # the coalesced ack flush (250 ms)
curl -fsS -m 5 "$SYNC/actuator/prometheus" >"$WORK/sync.prom" || fail "scraping the sync-service failed"
curl -fsS -m 5 "$HISTORY/actuator/prometheus" >"$WORK/history.prom" || fail "scraping the history-service failed"
for svc in sync history; do
  if ! out=$(promtool check metrics <"$WORK/$svc.prom" 2>&1); then
    printf '%s\n' "$out"
    fail "promtool check metrics: $svc-service's /actuator/prometheus has problems"
  fi
  log "promtool check metrics $svc-service: ok ($(grep -vc '^#' "$WORK/$svc.prom") samples)"
done

# Every metric of the catalogue the workload records (error counters appear with the first error).
expect() { # file series...
  local file=$1 s
  shift
  for s in "$@"; do
    grep -q -- "^$s" "$file" || fail "$s missing from $(basename "$file")"
  done
}
expect "$WORK/sync.prom" \
  'messenger_sync_pull_seconds_bucket{.*mode="immediate"' \
  'messenger_sync_pull_seconds_bucket{.*mode="longpoll"' \
  'messenger_sync_pull_entries_count' \
  'messenger_sync_resync_total{.*reason="new_device"' \
  'messenger_sync_resync_total{.*reason="gap"' \
  'messenger_sync_longpoll_parked' \
  'messenger_sync_longpoll_wakeups_total' \
  'messenger_sync_longpoll_refused_total' \
  'messenger_sync_ack_received_total' \
  'messenger_sync_ack_writes_total' \
  'messenger_inbox_append_total{.*outcome="added"' \
  'messenger_inbox_trimmed_total{.*reason="cap"' \
  'messenger_inbox_depth_count' \
  'messenger_sync_send_total{.*kind="message".*outcome="created"' \
  'messenger_sync_send_total{.*kind="message".*outcome="retried"' \
  'messenger_sync_operations_total{.*type="recall"' \
  'messenger_sync_fanout_size_count'
expect "$WORK/history.prom" \
  'messenger_history_page_seconds_bucket{.*anchor="newest"' \
  'messenger_history_page_seconds_bucket{.*anchor="around"' \
  'messenger_history_page_partitions_count' \
  'messenger_history_write_seconds_bucket{.*kind="message"' \
  'messenger_history_write_seconds_bucket{.*kind="operation"' \
  'messenger_history_write_step_seconds_bucket{.*step="commit"' \
  'messenger_history_log_batch_count' \
  'messenger_history_log_rounds_total{.*result="applied"'
awk '/^messenger_sync_ack_(received|writes)_total/ {print "    " $0}' "$WORK/sync.prom"
if grep -E '^messenger_[a-z_]+\{[^}]*(userId|deviceId|conversationId|user|device|conversation)=' \
  "$WORK/sync.prom" "$WORK/history.prom"; then
  fail "a messenger metric is tagged with an id"
fi
log "catalogue metrics present, no id tags"

# --- Prometheus queries ----------------------------------------------------------------------
query() { curl -fsS -m 5 --data-urlencode "query=$1" "$PROM/api/v1/query"; }
P99='histogram_quantile(0.99, sum by (le) (rate(messenger_sync_pull_seconds_bucket[1m])))'
value=""
for ((i = 0; i < 60; i++)); do
  value=$(query "$P99" | jq -r '.data.result[0].value[1] // empty' 2>/dev/null || true)
  if [[ "$value" =~ ^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; then
    break
  fi
  sleep 1
done
[[ "$value" =~ ^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] || fail "no numeric p99 from Prometheus (last: '${value:-empty}')"
log "Prometheus: $P99 = $value s"

ups=$(query 'up' | jq -r '[.data.result[] | select(.value[1] == "1") | .metric.job] | sort | join(",")')
[[ "$ups" == "history-service,sync-service" ]] || fail "both targets should be up, got '$ups'"
log "Prometheus: up == 1 for $ups"

rules_ok=""
for ((i = 0; i < 20; i++)); do
  curl -fsS -m 5 "$PROM/api/v1/rules" >"$WORK/rules.json"
  rules=$(jq '[.data.groups[].rules[]] | length' "$WORK/rules.json")
  bad=$(jq -r '[.data.groups[].rules[] | select(.health != "ok") | .name] | join(",")' "$WORK/rules.json")
  if ((rules >= 7)) && [[ -z "$bad" ]]; then
    rules_ok=1
    break
  fi
  sleep 1
done
[[ -n "$rules_ok" ]] || fail "alert rules not loaded or not healthy (rules: ${rules:-0}, unhealthy: ${bad:-?}; $(jq -c '[.data.groups[].rules[] | {name, health, lastError}]' "$WORK/rules.json"))"
firing=$(jq -r '[.data.groups[].rules[] | select(.state == "firing") | .name] | join(",")' "$WORK/rules.json")
log "Prometheus: $rules alert rules loaded and evaluated ok ($(jq -r '[.data.groups[].rules[].name] | join(", ")' "$WORK/rules.json")); firing: ${firing:-none}"
log "passed"
