#!/usr/bin/env bash
# Alternates two builds of the sync-service on the large-group long-poll case
# (bench.sh --only largepoll): old = the sync-service jar before the non-blocking wake-up,
# new = after it, newcache = after it with -Dserver.tomcat.processor-cache=1000. Build the jars
# first and copy them to $AB_DIR/sync-old.jar and $AB_DIR/sync-new.jar (README.md here).
# Appends one line per run to $AB_DIR/summary.txt: p50/p99 of the wake-up from the send's start,
# the sync-service's GC cycles in the run (-Xlog:gc), the send's p50, each counted round's last
# wake-up (ms).
set -u
cd "$(git rev-parse --show-toplevel)"
JAR=sync-service/target/sync-service-0.1.0-SNAPSHOT-exec.jar
for pass in 1 2; do
  for v in old new newcache; do
    case $v in
      old) cp ${AB_DIR:-/tmp/ab}/sync-old.jar $JAR; opts="" ;;
      new) cp ${AB_DIR:-/tmp/ab}/sync-new.jar $JAR; opts="" ;;
      newcache) cp ${AB_DIR:-/tmp/ab}/sync-new.jar $JAR; opts="-Dserver.tomcat.processor-cache=1000" ;;
    esac
    mkdir -p /tmp/gc && rm -f /tmp/gc/*
    JAVA_OPTS="$opts -Xlog:gc:file=/tmp/gc/gc-%p.log" SKIP_BUILD=1 ./scripts/bench.sh --only largepoll --out ${AB_DIR:-/tmp/ab}/$v-$pass > ${AB_DIR:-/tmp/ab}/$v-$pass.log 2>&1
    gcs=$(for f in /tmp/gc/*.log; do grep -c 'Garbage Collection' $f; done | sort -n | tail -1)
    echo "$v pass $pass: $(grep -E 'p50=' ${AB_DIR:-/tmp/ab}/$v-$pass.log | tail -1 | grep -o 'p50=.*') gc=$gcs $(grep -o 'sendP50Ms [0-9.]*' ${AB_DIR:-/tmp/ab}/$v-$pass/results.md) rounds: $(grep -E 'large-group long-poll round [0-9]' ${AB_DIR:-/tmp/ab}/$v-$pass.log | grep -o 'last at [0-9.]*' | sed 's/last at //' | tr '\n' ' ')" >> ${AB_DIR:-/tmp/ab}/summary.txt
  done
done
cp ${AB_DIR:-/tmp/ab}/sync-new.jar $JAR
echo done >> ${AB_DIR:-/tmp/ab}/summary.txt
