#!/bin/bash
# usage: hist.sh <jar> : restart the history-service on 8082 with the given jar
pkill -f 'jar --server.port=8082'; sleep 2
cd /work/main
export SPRING_DATA_REDIS_HOST=127.0.0.1 MESSENGER_HISTORY_BASE_URL=http://127.0.0.1:8082 MESSENGER_CASSANDRA_HOST=127.0.0.1 SPRING_CASSANDRA_CONTACT_POINTS=127.0.0.1:9042 SPRING_CASSANDRA_LOCAL_DATACENTER=datacenter1 MESSENGER_RATE_LIMIT_ENABLED=false MESSENGER_DATA_DIR=/work/main/.data SPRING_DATA_REDIS_PORT=6379 MESSENGER_CASSANDRA_PORT=9042
nohup java -XX:+UseZGC -XX:+ExitOnOutOfMemoryError -Xmx384m -jar $1 --server.port=8082 --spring.profiles.active=local > /tmp/lat/hist.log 2>&1 &
for i in $(seq 60); do curl -sf http://127.0.0.1:8082/actuator/health/readiness >/dev/null && echo ready && exit 0; sleep 1; done; echo notready; tail -20 /tmp/lat/hist.log
