package io.messenger.sync;

import io.lettuce.core.cluster.RedisClusterClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * Refreshes a Redis Cluster's topology when a call failed, at most once per {@value #LIMIT_MILLIS}
 * ms (one Redis ignores it). Lettuce's own adaptive triggers ({@link RedisClusterOptions}) miss the
 * commonest failure of a master failover: commands to the dead master time out, and the only
 * trigger its connection gives is the reconnect attempts, which back off exponentially (1 ms
 * doubling), so after the replica was promoted the next refresh came 3-4 s later, and every command
 * sent to those slots in between timed out too. Called for every failed Redis call that reaches a
 * client ({@link StoreFailureAdvice}) and for the relay's failed passes: while the failure lasts,
 * the topology is re-read every second, so the promotion is seen within about a second.
 */
@Component
public class RedisTopology {

  static final long LIMIT_MILLIS = 1_000;

  /** For a Redis that is not a cluster (and unit tests). */
  public static final RedisTopology NONE = new RedisTopology(() -> null);

  private static final Logger log = LoggerFactory.getLogger(RedisTopology.class);

  /** The cluster client, or null: looked up when needed (the factory creates it when it starts). */
  private final Supplier<RedisClusterClient> cluster;

  private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());

  @Autowired
  RedisTopology(RedisConnectionFactory factory) {
    this(
        () ->
            factory instanceof LettuceConnectionFactory lettuce
                    && lettuce.getNativeClient() instanceof RedisClusterClient client
                ? client
                : null);
  }

  RedisTopology(Supplier<RedisClusterClient> cluster) {
    this.cluster = cluster;
  }

  /** A call to Redis failed: re-read the cluster's topology unless that was done just now. */
  public void callFailed() {
    RedisClusterClient client = cluster.get();
    if (client == null) {
      return;
    }
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if (now - allowed < 0
        || !nextAllowed.compareAndSet(allowed, now + TimeUnit.MILLISECONDS.toNanos(LIMIT_MILLIS))) {
      return;
    }
    client
        .refreshPartitionsAsync()
        .whenComplete(
            (ignored, e) -> {
              if (e != null) {
                log.debug("topology refresh after a failed call failed: {}", e.toString());
              }
            });
  }
}
