package io.messenger.sync.relay;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Leases of relay shards in Redis, one key per shard ({@code <prefix>:{n}}, default prefix {@code
 * relay-lease}, so each is in a slot of its own on a cluster): taken with {@code SET NX PX},
 * renewed only by their holder. A worker that dies loses its shards when the lease runs out; two
 * workers holding one shard for a moment (a paused holder) deliver nothing twice, since inbox
 * appends are deduplicated by (conversation, seq).
 */
@Component
class RelayLeases {

  private static final RedisScript<Long> TAKE_OR_RENEW =
      new DefaultRedisScript<>(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
          end
          if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
            return 1
          end
          return 0
          """,
          Long.class);

  private static final RedisScript<Long> RELEASE =
      new DefaultRedisScript<>(
          """
          if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1])
          end
          return 0
          """,
          Long.class);

  private final StringRedisTemplate redis;
  private final String prefix;
  private final String holder = UUID.randomUUID().toString();

  RelayLeases(StringRedisTemplate redis, DeliveryProperties properties) {
    this.redis = redis;
    this.prefix = properties.leasePrefix();
  }

  /** Takes or renews the lease of {@code shard} for {@code ttl}; true when this worker holds it. */
  boolean hold(int shard, Duration ttl) {
    Long held =
        redis.execute(TAKE_OR_RENEW, List.of(key(shard)), holder, Long.toString(ttl.toMillis()));
    return held != null && held == 1;
  }

  /**
   * Gives the lease of {@code shard} back if this worker holds it, so that another worker can take
   * the shard at once (this one could not sweep it).
   */
  void release(int shard) {
    redis.execute(RELEASE, List.of(key(shard)), holder);
  }

  /** This worker's identity in the lease keys. */
  String holder() {
    return holder;
  }

  String key(int shard) {
    return prefix + ":{" + shard + "}";
  }
}
