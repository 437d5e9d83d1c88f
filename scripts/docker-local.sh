#!/usr/bin/env bash
# A Docker engine and the container images the tests and the Compose stack need, on a machine that
# has no image registry (docs/operations.md, "Containers"). Idempotent: what exists is reused.
#
#   scripts/docker-local.sh engine   a running engine: `docker info` answers, or (as root) Debian's
#                                    docker.io (+ docker-compose) is installed when missing and
#                                    dockerd started in the background (log: /var/log/dockerd.log)
#   scripts/docker-local.sh images   engine, then the local images, each built once per machine:
#                                    messenger-local/debian:bookworm   debootstrap --variant=minbase + docker import
#                                    messenger-local/redis:7           Debian's redis-server
#                                    messenger-local/cassandra:5.0     openjdk-17-jre-headless + cassandra-all jars (Maven Central)
#                                    messenger-local/prometheus:2      Debian's prometheus
#                                    messenger-local/maven:3-jdk17     openjdk-17-jdk-headless + maven (the services' build stage)
#                                    messenger-local/jre:17            openjdk-17-jre-headless + curl (the services' runtime)
#   scripts/docker-local.sh env      prints the export lines that point the tests and Compose at them
#                                    (eval "$(scripts/docker-local.sh env)")
#   scripts/docker-local.sh all      engine + images + env (the default)
#
# An image is rebuilt only when its build files (ops/docker/local/<name>/) or its parent changed: each
# carries their hash as the label messenger.local.hash. Cassandra and Maven build on the JRE image. Local or official images: MESSENGER_LOCAL_IMAGES
# =1 / =0; by default local ones when they exist already or when redis:7 can be neither found nor
# pulled (a machine with a registry gets the official images and builds nothing).
# Times on a loaded 2-core machine: engine install ~25 s, dockerd start ~2 s, base image ~165 s, the
# others 15-150 s each (docs/operations.md, "Containers"); every later call a few seconds.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd -P)
LOCAL_DIR=$REPO_ROOT/ops/docker/local
readonly SCRIPT_DIR REPO_ROOT LOCAL_DIR

BASE_IMAGE=messenger-local/debian:bookworm
REDIS_IMAGE=messenger-local/redis:7
CASSANDRA_IMAGE=messenger-local/cassandra:5.0
PROMETHEUS_IMAGE=messenger-local/prometheus:2
BUILD_IMAGE=messenger-local/maven:3-jdk17
RUNTIME_IMAGE=messenger-local/jre:17
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CASSANDRA_VERSION=${CASSANDRA_VERSION:-5.0.6}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}

log() { printf '[docker-local] %s\n' "$*" >&2; }
die() {
  printf '[docker-local] ERROR: %s\n' "$*" >&2
  exit 1
}

export DOCKER_BUILDKIT=0 # the CLI on these machines has no buildx plugin

engine_up() { docker info >/dev/null 2>&1; }

ensure_engine() {
  if engine_up; then
    return 0
  fi
  local t0=$SECONDS
  if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
    [[ $EUID -eq 0 ]] || die "no Docker engine answers and dockerd is not installed: install Docker (or run this as root to get Debian's docker.io)"
    command -v apt-get >/dev/null 2>&1 || die "no Docker engine, and no apt-get to install one"
    log "installing Debian's docker.io"
    local -a pkgs=(docker.io)
    compose_cmd >/dev/null 2>&1 || pkgs+=(docker-compose)
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    [[ $EUID -eq 0 ]] || die "dockerd is not running; start it (as root: dockerd &) or start Docker Desktop"
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid + nohup: the engine outlives this script and the test run that called it; later runs reuse it
    (
      exec 0</dev/null
      setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 &
    )
  fi
  local i
  for i in $(seq 1 120); do
    if engine_up; then
      log "engine up in $((SECONDS - t0)) s"
      return 0
    fi
    sleep 0.5
  done
  tail -n 20 "$DOCKERD_LOG" >&2 2>/dev/null || true
  die "the Docker engine did not answer within 60 s"
}

# The Compose command: `docker compose` (v2 plugin) when present, else docker-compose (v1).
compose_cmd() {
  if docker compose version >/dev/null 2>&1; then
    echo "docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    echo "docker-compose"
  else
    return 1
  fi
}

image_label() { docker image inspect -f "{{ index .Config.Labels \"$2\" }}" "$1" 2>/dev/null || true; }

dir_hash() { # content hash of a build directory (file names and contents)
  (cd -- "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

ensure_base() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "$BASE_IMAGE is missing and debootstrap needs root"
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; }
  fi
  local t0=$SECONDS root
  root=$(mktemp -d "${TMPDIR:-/var/tmp}/messenger-debootstrap.XXXXXX")
  log "building $BASE_IMAGE: debootstrap --variant=minbase bookworm ($DEBIAN_MIRROR)"
  if ! debootstrap --variant=minbase bookworm "$root" "$DEBIAN_MIRROR" >"$root.log" 2>&1; then
    tail -n 20 "$root.log" >&2
    rm -rf -- "$root" "$root.log"
    die "debootstrap failed"
  fi
  rm -rf -- "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import \
    -c 'ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive' -c 'CMD ["bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf -- "$root" "$root.log"
  log "$BASE_IMAGE built in $((SECONDS - t0)) s"
}

# build_local <image> <dir under ops/docker/local> <parent image> [extra-context-step]
build_local() {
  local image=$1 name=$2 parent=$3 prepare=${4:-} src=$LOCAL_DIR/$2 hash ctx t0=$SECONDS
  # the build files and the parent image: a rebuilt parent rebuilds its children
  hash=$( (dir_hash "$src" && docker image inspect -f '{{.Id}}' "$parent") | sha256sum | cut -c1-16)
  if [[ "$(image_label "$image" messenger.local.hash)" == "$hash" ]]; then
    return 0
  fi
  ctx=$(mktemp -d "${TMPDIR:-/tmp}/messenger-image.XXXXXX")
  cp -a "$src/." "$ctx/"
  if [[ -n "$prepare" ]]; then
    "$prepare" "$ctx"
  fi
  log "building $image (ops/docker/local/$name on $parent)"
  if ! docker build -q --build-arg "BASE_IMAGE=$parent" --label "messenger.local.hash=$hash" \
    -t "$image" "$ctx" >"$ctx.log" 2>&1; then
    tail -n 30 "$ctx.log" >&2
    rm -rf -- "$ctx" "$ctx.log"
    die "building $image failed"
  fi
  rm -rf -- "$ctx" "$ctx.log"
  log "$image built in $((SECONDS - t0)) s"
}

# Cassandra's jars from Maven Central, through the same pom scripts/infra.sh uses.
cassandra_jars() {
  local ctx=$1 mvn
  if command -v mvn >/dev/null 2>&1; then mvn=mvn; else mvn=$REPO_ROOT/mvnw; fi
  "$mvn" -q -B -Dstyle.color=never -f "$REPO_ROOT/infra/cassandra/pom.xml" -Dcassandra.version="$CASSANDRA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$ctx/lib" >&2
}

# The host Java's trust store, so that Maven in the build image trusts what Maven on the host trusts.
host_java_trust() {
  local ctx=$1 store
  mkdir -p "$ctx/trust"
  for store in /etc/ssl/certs/java/cacerts "${JAVA_HOME:-/nonexistent}/lib/security/cacerts"; do
    if [[ -f "$store" ]]; then
      cp -L "$store" "$ctx/trust/cacerts"
      return 0
    fi
  done
}

ensure_images() {
  ensure_engine
  ensure_base
  build_local "$REDIS_IMAGE" redis "$BASE_IMAGE"
  build_local "$PROMETHEUS_IMAGE" prometheus "$BASE_IMAGE"
  build_local "$RUNTIME_IMAGE" jre "$BASE_IMAGE"
  build_local "$CASSANDRA_IMAGE" cassandra "$RUNTIME_IMAGE" cassandra_jars
  build_local "$BUILD_IMAGE" maven "$RUNTIME_IMAGE" host_java_trust
}

# MESSENGER_LOCAL_IMAGES: 1 local images, 0 the official ones, auto (default): local when they were
# built on this machine before or when the official ones can be neither found nor pulled.
use_local_images() {
  case "${MESSENGER_LOCAL_IMAGES:-auto}" in
    1 | true | yes) return 0 ;;
    0 | false | no) return 1 ;;
  esac
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  docker image inspect redis:7 >/dev/null 2>&1 && return 1
  if timeout 120 docker pull -q redis:7 >/dev/null 2>&1; then
    return 1
  fi
  log "no image registry answers: using local images"
  return 0
}

print_env() {
  if ! use_local_images; then
    echo "export MESSENGER_REDIS_IMAGE=redis:7 MESSENGER_CASSANDRA_IMAGE=cassandra:5.0"
    echo "export MESSENGER_PROMETHEUS_IMAGE=prom/prometheus:latest"
    echo "export MESSENGER_BUILD_IMAGE=maven:3.9-eclipse-temurin-17 MESSENGER_RUNTIME_IMAGE=eclipse-temurin:17-jre"
    return 0
  fi
  echo "export MESSENGER_REDIS_IMAGE=$REDIS_IMAGE MESSENGER_CASSANDRA_IMAGE=$CASSANDRA_IMAGE"
  echo "export MESSENGER_PROMETHEUS_IMAGE=$PROMETHEUS_IMAGE"
  echo "export MESSENGER_BUILD_IMAGE=$BUILD_IMAGE MESSENGER_RUNTIME_IMAGE=$RUNTIME_IMAGE"
  # Ryuk's image cannot be pulled here; without the override Testcontainers pulls alpine to find
  # the Docker host's gateway (and hangs ~2 min when it cannot).
  echo "export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost"
  echo "export DOCKER_BUILDKIT=0"
}

case "${1:-all}" in
  engine) ensure_engine ;;
  base) ensure_engine && ensure_base ;;
  images) ensure_images ;;
  env) print_env ;;
  compose) compose_cmd ;;
  all)
    ensure_engine
    if use_local_images; then
      MESSENGER_LOCAL_IMAGES=1 ensure_images
      MESSENGER_LOCAL_IMAGES=1 print_env
    else
      MESSENGER_LOCAL_IMAGES=0 print_env
    fi
    ;;
  *) die "usage: $0 [engine|images|env|compose|all]" ;;
esac
