#!/usr/bin/env bash
# Runs the whole test suite: unit tests, integration and system tests (their Redis and Cassandra are
# containers, started by the tests through Testcontainers), then the checks in scripts/checks/.
#   1. scripts/docker-local.sh: a Docker engine (installed and started when missing and running as
#      root) and the images; where no registry is reachable it builds local stand-ins once per machine
#      and points the tests at them (MESSENGER_REDIS_IMAGE, MESSENGER_CASSANDRA_IMAGE,
#      TESTCONTAINERS_RYUK_DISABLED, TESTCONTAINERS_HOST_OVERRIDE, exported here);
#   2. ./mvnw -B verify "$@";
#   3. for the checks, which run the services from the built jars on local processes:
#      scripts/infra.sh up --throwaway (Redis and Cassandra without Docker), then every check, then
#      scripts/infra.sh down --throwaway (which stops only what `up` started).
# Exits non-zero on the first failure.
#
#   ./scripts/test.sh                       everything
#   ./scripts/test.sh -pl sync-service -am  extra arguments go to Maven (and the checks are skipped)
#
# MESSENGER_TEST_STORES=external: no Docker at all; the tests use the Redis and Cassandra at
# MESSENGER_REDIS_HOST/PORT and MESSENGER_CASSANDRA_HOST/PORT (infra.sh starts them before Maven).
# Never with a shared Redis: a system test flushes it.
# The checks find Redis and Cassandra through MESSENGER_REDIS_HOST/PORT and
# MESSENGER_CASSANDRA_HOST/PORT (defaults 127.0.0.1:6379 and 127.0.0.1:9042), exported here.
# Their data lives in MESSENGER_DATA_DIR (default <repo>/.data/test), wiped on each start.
# shellcheck disable=SC2317 # cleanup() runs from a trap
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
readonly SCRIPT_DIR REPO_ROOT
cd -- "$REPO_ROOT"

export MESSENGER_REDIS_HOST=${MESSENGER_REDIS_HOST:-127.0.0.1}
export MESSENGER_REDIS_PORT=${MESSENGER_REDIS_PORT:-6379}
export MESSENGER_CASSANDRA_HOST=${MESSENGER_CASSANDRA_HOST:-127.0.0.1}
export MESSENGER_CASSANDRA_PORT=${MESSENGER_CASSANDRA_PORT:-9042}

INFRA_DOWN=() # the components infra.sh had to start (and so stops again at the end)
cleanup() {
  if ((${#INFRA_DOWN[@]} > 0)); then
    "$SCRIPT_DIR/infra.sh" down --throwaway "${INFRA_DOWN[@]}" || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_infra() {
  local component
  for component in redis cassandra; do
    if ! "$SCRIPT_DIR/infra.sh" status --throwaway "$component" >/dev/null 2>&1; then
      INFRA_DOWN+=("$component")
    fi
  done
  "$SCRIPT_DIR/infra.sh" up --throwaway
}

if [[ "${MESSENGER_TEST_STORES:-containers}" == external ]]; then
  start_infra
else
  start=$(date +%s)
  docker_env=$("$SCRIPT_DIR/docker-local.sh" all)
  eval "$docker_env"
  printf '[test] Docker engine and images ready in %s s (Redis %s, Cassandra %s)\n' \
    "$(($(date +%s) - start))" "$MESSENGER_REDIS_IMAGE" "$MESSENGER_CASSANDRA_IMAGE"
fi

start=$(date +%s)
set +e
./mvnw -B verify "$@"
rc=$?
set -e
printf '[test] ./mvnw -B verify finished with exit code %s in %s s\n' "$rc" "$(($(date +%s) - start))"
if ((rc != 0)); then
  exit "$rc"
fi

# Checks beyond Maven, against the built services (metrics exposition, API lint, contract tests):
# every executable scripts/checks/*.sh, in name order. Skipped when extra Maven arguments were
# given (a partial run), or with SKIP_CHECKS=1.
if (($# == 0)) && [[ "${SKIP_CHECKS:-0}" != 1 ]]; then
  if [[ "${MESSENGER_TEST_STORES:-containers}" != external ]]; then
    start_infra
  fi
  for check in "$SCRIPT_DIR"/checks/*.sh; do
    [[ -x "$check" ]] || continue
    printf '[test] check %s\n' "$(basename "$check")"
    check_start=$(date +%s)
    if ! "$check"; then
      printf '[test] check %s FAILED\n' "$(basename "$check")"
      exit 1
    fi
    printf '[test] check %s passed in %s s\n' "$(basename "$check")" "$(($(date +%s) - check_start))"
  done
fi
exit 0