package io.messenger.sync.relay;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * {@link Replication} from {@code INFO replication} of each master (one call per master; on a Redis
 * Cluster the masters that serve slots, on a single Redis the one server). A replica reports its
 * offset about once a second ({@code REPLCONF ACK}), so a mark is caught up a second or so after it
 * was taken; the relay asks on its next pass. Nothing here blocks a connection (unlike {@code
 * WAIT}, which would hold up every command multiplexed on the shared connection).
 */
@Component
class RedisReplication implements Replication {

  private static final Logger log = LoggerFactory.getLogger(RedisReplication.class);
  private static final String STANDALONE = "";

  private final StringRedisTemplate redis;

  RedisReplication(StringRedisTemplate redis) {
    this.redis = redis;
  }

  @Override
  public ReplicaMark mark() {
    Map<String, Properties> masters = masters();
    Map<String, Long> offsets = new HashMap<>();
    masters.forEach(
        (id, info) -> {
          if (!onlineReplicaOffsets(info).isEmpty()) {
            offsets.put(id, offset(info, "master_repl_offset"));
          }
        });
    return new ReplicaMark(offsets);
  }

  @Override
  public boolean caughtUp(ReplicaMark mark) {
    if (mark.none()) {
      return true;
    }
    Map<String, Properties> masters;
    try {
      masters = masters();
    } catch (RuntimeException e) {
      log.debug("replication not known: {}", e.toString());
      return false;
    }
    for (Map.Entry<String, Long> marked : mark.offsets().entrySet()) {
      Properties info = masters.get(marked.getKey());
      if (info == null) {
        return false; // no longer a master: a failover may have lost what it had not replicated
      }
      for (long replica : onlineReplicaOffsets(info).values()) {
        if (replica < marked.getValue()) {
          return false;
        }
      }
    }
    return true;
  }

  /** {@code INFO replication} of every master that serves slots, by node id. */
  private Map<String, Properties> masters() {
    return redis.execute(
        (RedisCallback<Map<String, Properties>>)
            connection -> {
              Map<String, Properties> out = new HashMap<>();
              if (connection instanceof RedisClusterConnection cluster) {
                for (RedisClusterNode node : cluster.clusterGetNodes()) {
                  if (servesSlots(node)) {
                    out.put(node.getId(), cluster.serverCommands().info(node, "replication"));
                  }
                }
              } else {
                out.put(STANDALONE, info((RedisConnection) connection));
              }
              return out;
            });
  }

  private static Properties info(RedisConnection connection) {
    return connection.serverCommands().info("replication");
  }

  /**
   * A master that owns slots and is neither failed nor suspected ({@code PFAIL}): an {@code INFO}
   * to a suspected master may only time out, and leaving it out only drops its marks (their events
   * are re-driven). The inbox store's script loading keeps suspected masters ({@code
   * RedisInboxStore.servesSlots}), where leaving a live one out would fail calls.
   */
  private static boolean servesSlots(RedisClusterNode node) {
    return node.isMaster()
        && !node.getFlags().contains(RedisClusterNode.Flag.FAIL)
        && !node.getFlags().contains(RedisClusterNode.Flag.PFAIL)
        && node.getSlotRange() != null
        && !node.getSlotRange().getSlots().isEmpty();
  }

  /**
   * The offsets of the replicas in state {@code online}, by their {@code slaveN} key: {@code
   * slave0:ip=10.0.0.2,port=6379,state=online,offset=1234,lag=0}.
   */
  static Map<String, Long> onlineReplicaOffsets(Properties info) {
    Map<String, Long> out = new HashMap<>();
    for (String key : info.stringPropertyNames()) {
      if (!key.matches("slave\\d+")) {
        continue;
      }
      Map<String, String> fields = new HashMap<>();
      for (String field : info.getProperty(key).split(",")) {
        int eq = field.indexOf('=');
        if (eq > 0) {
          fields.put(field.substring(0, eq).trim(), field.substring(eq + 1).trim());
        }
      }
      if ("online".equals(fields.get("state")) && fields.containsKey("offset")) {
        out.put(key, Long.parseLong(fields.get("offset")));
      }
    }
    return out;
  }

  private static long offset(Properties info, String key) {
    String value = info.getProperty(key);
    if (value == null) {
      throw new IllegalStateException("INFO replication has no " + key);
    }
    return Long.parseLong(value.trim());
  }
}
