#!/bin/sh
# `redis-server [args]`: the official image's defaults first (all addresses, no protected mode, no
# daemon), then the caller's arguments, which override them.
set -e
if [ "${1:-}" = redis-server ]; then
  shift
  exec redis-server --bind 0.0.0.0 --protected-mode no --daemonize no --dir /data "$@"
fi
exec "$@"
