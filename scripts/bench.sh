#!/usr/bin/env bash
# Benchmarks the whole system on this machine: builds (unless SKIP_BUILD=1), starts a throwaway
# Redis for the run, starts both services with scripts/run.sh on their own ports and data dir,
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
#   ./scripts/bench.sh --only groups --label large-groups   large groups (read diffusion): sends to
#                                          groups of 10 to 100,000, Redis bytes per message, pulls
#                                          by large groups; builds its groups through the API (~6 min)
#   ./scripts/bench.sh --out DIR           another output directory
#
# Environment: BENCH_SYNC_PORT [18181] BENCH_HISTORY_PORT [18182] BENCH_REDIS_PORT [6393]
#   BENCH_KEYSPACE [bench] BENCH_DATA_DIR [<repo>/.data/bench] MESSENGER_CASSANDRA_HOST/PORT
#   [127.0.0.1:9042] (started by run.sh if nothing answers) SKIP_BUILD=1  JAVA_OPTS (services)
#   BENCH_JAVA_OPTS [-Xmx1g -XX:+UseZGC] (the load driver's JVM)
#   MESSENGER_RATE_LIMIT_ENABLED [false]: the per-device / per-user rate limits are off, because a
#   few simulated devices pulling hundreds of times a second measure capacity, not the limits
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
while (($# > 0)); do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --jfr) JFR=1 ;;
    --label) LABEL=$2; shift ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --park) PARK=$2; shift ;;
    -h | --help) sed -n '2,26p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

# Smoke runs every scenario of a full run and also groups (tiny: 9-16 s of scenario time); a full run
# leaves groups out (it builds a group of 100,000 members: ask for it with --only groups).
if [[ -z "$ONLY" ]]; then
  ONLY=pull,send,ack,page,longpoll,list
  ((SMOKE)) && ONLY=$ONLY,groups
fi

SYNC_PORT=${BENCH_SYNC_PORT:-18181}
HISTORY_PORT=${BENCH_HISTORY_PORT:-18182}
REDIS_PORT=${BENCH_REDIS_PORT:-6393}
KEYSPACE=${BENCH_KEYSPACE:-bench}
DATA_DIR=${BENCH_DATA_DIR:-$REPO_ROOT/.data/bench}
if [[ -z "$OUT" ]]; then
  if ((SMOKE)); then OUT=$REPO_ROOT/.data/bench-smoke/out; else OUT=$REPO_ROOT/docs/benchmarks/$LABEL; fi
fi
mkdir -p -- "$DATA_DIR" "$OUT"
DATA_DIR=$(cd -- "$DATA_DIR" && pwd -P)
OUT=$(cd -- "$OUT" && pwd -P)
export MESSENGER_CASSANDRA_HOST=${MESSENGER_CASSANDRA_HOST:-127.0.0.1}
export MESSENGER_CASSANDRA_PORT=${MESSENGER_CASSANDRA_PORT:-9042}

RUN_PID=""
REDIS_STARTED=0
cleanup() {
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

# A Redis of the run's own: the benchmark fills inboxes with thousands of entries.
if ! MESSENGER_REDIS_PORT=$REDIS_PORT MESSENGER_DATA_DIR=$DATA_DIR/infra \
  "$SCRIPT_DIR/infra.sh" status --throwaway redis >/dev/null 2>&1; then
  REDIS_STARTED=1
else
  log "WARNING: a Redis already answers on $REDIS_PORT: the benchmark writes its inboxes into it"
fi
MESSENGER_REDIS_PORT=$REDIS_PORT MESSENGER_DATA_DIR=$DATA_DIR/infra \
  "$SCRIPT_DIR/infra.sh" up --throwaway redis

JAVA_OPTS_RUN=${JAVA_OPTS:-}
# Smoke runs measure nothing: C1 only starts the services faster on a loaded machine.
((SMOKE)) && JAVA_OPTS_RUN="$JAVA_OPTS_RUN -XX:TieredStopAtLevel=1"
if ((JFR)); then
  rm -rf -- "$DATA_DIR/jfr"
  mkdir -p -- "$DATA_DIR/jfr"
  JAVA_OPTS_RUN="$JAVA_OPTS_RUN -XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$DATA_DIR/jfr/"
fi

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
log "services ready; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

BENCH_ARGS=(--sync "http://127.0.0.1:$SYNC_PORT" --history "http://127.0.0.1:$HISTORY_PORT"
  --redis "127.0.0.1:$REDIS_PORT" --cassandra "$MESSENGER_CASSANDRA_HOST:$MESSENGER_CASSANDRA_PORT"
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
