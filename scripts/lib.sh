# shellcheck shell=bash
# Shell helpers of scripts/*.sh and scripts/checks/*.sh. Source it after setting LOG_TAG, the tag of
# every line the script prints:
#   LOG_TAG=run
#   source "$SCRIPT_DIR/lib.sh"          # scripts/checks/*.sh: "$SCRIPT_DIR/../lib.sh"
# LOG_STDERR=1 sends log lines to stderr (scripts whose standard output is data, e.g. variables to
# eval); DIE_WORD is the word of die's line (default ERROR). A script may define its own version of
# a helper after sourcing this file (60-compose.sh's log prints the seconds since its start).

# log MESSAGE...: "[tag] message" on stdout (stderr with LOG_STDERR=1).
log() {
  if [[ "${LOG_STDERR:-0}" == 1 ]]; then
    printf '[%s] %s\n' "$LOG_TAG" "$*" >&2
  else
    printf '[%s] %s\n' "$LOG_TAG" "$*"
  fi
}

# warn MESSAGE...: "[tag] WARNING: message" on stderr.
warn() { printf '[%s] WARNING: %s\n' "$LOG_TAG" "$*" >&2; }

# die MESSAGE...: "[tag] ERROR: message" on stderr, exit 1 (the word is DIE_WORD when set).
die() {
  printf '[%s] %s: %s\n' "$LOG_TAG" "${DIE_WORD:-ERROR}" "$*" >&2
  exit 1
}

# fail MESSAGE...: "[tag] FAILED: message" on stderr, exit 1 (what a check says when it fails).
fail() {
  printf '[%s] FAILED: %s\n' "$LOG_TAG" "$*" >&2
  exit 1
}

# now: seconds since the epoch with microseconds (Bash's EPOCHREALTIME, with a dot in any locale).
now() {
  local t=$EPOCHREALTIME
  printf '%s' "${t/,/.}"
}

# since START: seconds since START (a value of now), one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# older_than START SECONDS: whether at least SECONDS have passed since START.
older_than() { awk -v s="$(since "$1")" -v l="$2" 'BEGIN { exit !(s >= l) }'; }

# port_free PORT: whether nothing accepts connections on 127.0.0.1:PORT.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port FROM: the first free port from FROM up.
free_port() {
  local p=$1
  until port_free "$p"; do p=$((p + 1)); done
  printf '%s' "$p"
}

# pick_port FROM TAKEN...: the first free port from FROM up that is none of TAKEN (with a newline).
pick_port() {
  local p=$1 taken t
  shift
  while :; do
    taken=0
    for t in "$@"; do [[ "$p" == "$t" ]] && taken=1; done
    if ((taken == 0)) && port_free "$p"; then
      printf '%s\n' "$p"
      return
    fi
    p=$((p + 1))
  done
}

# cluster_run_start RUN_SH LOG [ARGS...]: starts `RUN_SH --cluster ARGS` in a session of its own
# (configured by the caller's environment, e.g. `SYNC_PORT=... cluster_run_start ...`), its output
# in LOG; sets RUN_PID and waits until it says ready (up to 900 s; exits through die, with the end
# of LOG, if it stops or takes longer). Shared by the chaos check and the benchmark's cluster mode.
cluster_run_start() {
  local run_sh=$1 runlog=$2 start
  shift 2
  start=$(date +%s)
  setsid "$run_sh" --cluster "$@" >"$runlog" 2>&1 </dev/null &
  RUN_PID=$!
  until grep -q '\[run\]  ready' "$runlog" 2>/dev/null; do
    if ! kill -0 "$RUN_PID" 2>/dev/null; then
      tail -n 40 "$runlog" | grep -v '^\[\(sync\|history\)-service\]' >&2 || true
      die "run.sh --cluster exited before ready (log: $runlog)"
    fi
    (($(date +%s) - start < 900)) || die "run.sh --cluster not ready within 900 s (log: $runlog)"
    sleep 1
  done
  log "cluster and services ready in $(($(date +%s) - start)) s"
}

# cluster_run_stop CLUSTER_SH: SIGTERM to RUN_PID (run.sh stops both services, then the cluster it
# started) and up to 60 s for it, then a SIGKILL sweep of the cluster's nodes (`cluster.sh down
# --kill`, which finds them by the pid files of CLUSTER_DATA_DIR: only this cluster's).
cluster_run_stop() {
  local cluster_sh=$1
  if [[ -n "${RUN_PID:-}" ]] && kill -0 "$RUN_PID" 2>/dev/null; then
    log "stopping the services and the cluster (run.sh pid $RUN_PID)"
    kill -TERM "$RUN_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$RUN_PID" 2>/dev/null || break
      sleep 0.2
    done
  fi
  "$cluster_sh" down --kill >/dev/null 2>&1 || true
}
