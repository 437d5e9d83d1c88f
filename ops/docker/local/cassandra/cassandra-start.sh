#!/bin/bash
# Starts one Cassandra 5.0 node in the foreground: writes /etc/cassandra/cassandra.yaml for this
# container's address, then runs CassandraDaemon on Java 17 with the JPMS flags of Cassandra's own
# conf/jvm17-server.options.
set -euo pipefail

ip=${CASSANDRA_LISTEN_ADDRESS:-$(hostname -i | awk '{print $1}')}
data=/var/lib/cassandra
mkdir -p "$data/data" "$data/commitlog" "$data/saved_caches" "$data/hints" "$data/cdc_raw"

cat >/etc/cassandra/cassandra.yaml <<YAML
cluster_name: '${CASSANDRA_CLUSTER_NAME:-Test Cluster}'
num_tokens: ${CASSANDRA_NUM_TOKENS:-16}
allocate_tokens_for_local_replication_factor: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "${ip}:7000"
listen_address: ${ip}
broadcast_address: ${ip}
rpc_address: 0.0.0.0
broadcast_rpc_address: ${ip}
storage_port: 7000
start_native_transport: true
native_transport_port: 9042
data_file_directories:
  - ${data}/data
commitlog_directory: ${data}/commitlog
saved_caches_directory: ${data}/saved_caches
hints_directory: ${data}/hints
cdc_raw_directory: ${data}/cdc_raw
commitlog_sync: periodic
commitlog_sync_period: 10000ms
authenticator:
  class_name: AllowAllAuthenticator
authorizer:
  class_name: AllowAllAuthorizer
role_manager:
  class_name: CassandraRoleManager
network_authorizer:
  class_name: AllowAllNetworkAuthorizer
paxos_variant: v2
auto_snapshot: false
snapshot_before_compaction: false
YAML

heap=${MAX_HEAP_SIZE:-1G}
young=${HEAP_NEWSIZE:-200M}
# shellcheck disable=SC2086 # JVM_EXTRA_OPTS is a list of options
exec java -Xms"$heap" -Xmx"$heap" -Xmn"$young" \
  -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -Djava.net.preferIPv4Stack=true \
  -Djdk.attach.allowAttachSelf=true \
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
  --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED \
  --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED \
  --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED \
  --add-exports java.sql/java.sql=ALL-UNNAMED \
  --add-exports java.base/java.lang.ref=ALL-UNNAMED \
  --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED \
  --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED \
  --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED \
  --add-opens java.base/java.lang.module=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.loader=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.math=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.module=ALL-UNNAMED \
  --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED \
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens java.base/java.io=ALL-UNNAMED \
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED \
  --add-opens java.base/java.util=ALL-UNNAMED \
  -Dio.netty.tryReflectionSetAccessible=true \
  -Dcassandra-foreground=yes \
  -Dcassandra.config=file:///etc/cassandra/cassandra.yaml \
  -Dcassandra.storagedir="$data" \
  -Dcassandra.logdir="$data" \
  -Dlogback.configurationFile=/opt/cassandra/conf/logback.xml \
  -Dcassandra.jmx.local.port=7199 \
  ${JVM_EXTRA_OPTS:-} \
  -cp '/opt/cassandra/conf:/opt/cassandra/lib/*' \
  org.apache.cassandra.service.CassandraDaemon
