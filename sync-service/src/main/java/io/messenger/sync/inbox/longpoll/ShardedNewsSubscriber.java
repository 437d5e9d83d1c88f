package io.messenger.sync.inbox.longpoll;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.messenger.sync.inbox.NewsChannels;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.Disposable;

/**
 * On a Redis Cluster, this instance's subscription to the inbox news: {@code SSUBSCRIBE} to the
 * shard channel of every slot ({@link NewsChannels}), each on the master that owns the slot, over
 * one pub/sub connection per master. Redis drops the subscribers of a shard channel when its slot
 * moves (a failover promotes a replica that has none), so the subscriptions are made again, on the
 * new owners, after every topology change Lettuce reports (adaptive refresh: a failover is seen
 * within seconds) and every {@value #RESUBSCRIBE_SECONDS} s in any case; {@code SSUBSCRIBE} to a
 * channel already subscribed is a no-op. Those a master had are made again, too, when its pub/sub
 * connection is back after it was lost: Lettuce re-subscribes it with one {@code SSUBSCRIBE} of all
 * its channels, which a cluster refuses when they span several slots ({@code CROSSSLOT}). A news
 * message lost meanwhile only delays a long-poll: a parked poll answers empty at its timeout and
 * the client pulls again, and the relay re-drives any lost fan-out; nothing in the inbox depends on
 * the news. On a single Redis it does nothing (the plain channel of {@link
 * InboxSignalConfiguration} carries the news there).
 */
final class ShardedNewsSubscriber implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(ShardedNewsSubscriber.class);
  private static final long RESUBSCRIBE_SECONDS = 300;

  /** How long one round of subscriptions may take (16,384 commands on a loaded machine). */
  private static final Duration ROUND_TIMEOUT = Duration.ofSeconds(30);

  private final RedisConnectionFactory connections;
  private final LongPollRegistry registry;
  private volatile RedisClusterClient client;
  private final ScheduledExecutorService scheduler;
  private volatile ScheduledFuture<?> periodic;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean fullPending = new AtomicBoolean();

  /** The master each slot's channel was last subscribed on ({@code null}: not yet). */
  private final String[] owners = new String[SlotHash.SLOT_COUNT];

  private final Set<StatefulRedisPubSubConnection<byte[], byte[]>> listening =
      Collections.newSetFromMap(new IdentityHashMap<>());
  private final RedisPubSubAdapter<byte[], byte[]> listener =
      new RedisPubSubAdapter<>() {
        @Override
        public void smessage(byte[] channel, byte[] message) {
          registry.news(message);
        }
      };

  /** The master each connection of {@link #listening} subscribes on (guarded by listening). */
  private final Map<Object, String> nodeOf = new IdentityHashMap<>();

  /** Pub/sub connections of {@link #listening} that were lost and are not back yet. */
  private final Set<RedisChannelHandler<?, ?>> lost =
      Collections.newSetFromMap(new IdentityHashMap<>());

  private final RedisConnectionStateListener reconnects =
      new RedisConnectionStateListener() {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> node) {
          synchronized (listening) {
            if (listening.contains(node)) {
              lost.add(node);
            }
          }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> node, SocketAddress address) {
          String nodeId;
          synchronized (listening) {
            if (!lost.remove(node)) {
              return;
            }
            nodeId = nodeOf.get(node);
          }
          forget(nodeId);
          resubscribeSoon();
        }
      };

  private volatile StatefulRedisClusterPubSubConnection<byte[], byte[]> connection;
  private volatile Disposable events;
  private volatile boolean running;

  /** {@code scheduler}: one thread, for the rounds of subscriptions (never the news itself). */
  ShardedNewsSubscriber(
      RedisConnectionFactory connections,
      LongPollRegistry registry,
      ScheduledExecutorService scheduler) {
    this.connections = connections;
    this.registry = registry;
    this.scheduler = scheduler;
  }

  @Override
  public void start() {
    if (!(connections instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware())) {
      return;
    }
    client = (RedisClusterClient) lettuce.getNativeClient();
    connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
    client.addListener(reconnects);
    running = true;
    log.info(
        "inbox news: Redis Cluster, sharded pub/sub on {} shard channels", SlotHash.SLOT_COUNT);
    events =
        client
            .getResources()
            .eventBus()
            .get()
            .filter(ClusterTopologyChangedEvent.class::isInstance)
            .subscribe(e -> resubscribeSoon());
    subscribe(true);
    periodic =
        scheduler.scheduleWithFixedDelay(
            () -> {
              fullPending.set(true);
              resubscribeSoon();
            },
            RESUBSCRIBE_SECONDS,
            RESUBSCRIBE_SECONDS,
            TimeUnit.SECONDS);
  }

  /**
   * A pub/sub connection to {@code nodeId} is back after it was lost, and with it went its
   * subscriptions: the slots last subscribed there are subscribed again by the next round (on their
   * owner now; none when the node came back as a replica, as a failed master does), not all 16,384,
   * whose round on a loaded machine held up other Redis calls. Every slot when the node is not
   * known.
   */
  private void forget(String nodeId) {
    if (nodeId == null) {
      fullPending.set(true);
      return;
    }
    synchronized (owners) {
      for (int slot = 0; slot < owners.length; slot++) {
        if (nodeId.equals(owners[slot])) {
          owners[slot] = null;
        }
      }
    }
  }

  /** Schedules one round of {@link #subscribe} unless one is already waiting. */
  private void resubscribeSoon() {
    if (running && pending.compareAndSet(false, true)) {
      scheduler.schedule(
          () -> {
            pending.set(false);
            subscribe(fullPending.getAndSet(false));
          },
          200,
          TimeUnit.MILLISECONDS);
    }
  }

  /**
   * SSUBSCRIBE the channel of each slot on the master that owns the slot now: every slot when
   * {@code all}, otherwise those whose owner changed since their last subscription.
   */
  void subscribe(boolean all) {
    StatefulRedisClusterPubSubConnection<byte[], byte[]> current = connection;
    if (current == null) {
      return;
    }
    try {
      client.refreshPartitions();
    } catch (RuntimeException e) {
      log.warn("inbox news: cannot refresh the cluster topology: {}", e.toString());
    }
    Partitions partitions = client.getPartitions();
    List<RedisFuture<Void>> replies = new ArrayList<>(SlotHash.SLOT_COUNT);
    List<Integer> sentSlots = new ArrayList<>(SlotHash.SLOT_COUNT);
    List<String> sentOwners = new ArrayList<>(SlotHash.SLOT_COUNT);
    int failedNodes = 0;
    for (RedisClusterNode node : partitions) {
      if (!node.is(RedisClusterNode.NodeFlag.UPSTREAM) || node.is(RedisClusterNode.NodeFlag.FAIL)) {
        continue;
      }
      List<Integer> slots = node.getSlots();
      if (slots.isEmpty()) {
        continue;
      }
      try {
        StatefulRedisPubSubConnection<byte[], byte[]> nodeConnection =
            current.getConnection(node.getNodeId());
        synchronized (listening) {
          if (listening.add(nodeConnection)) {
            nodeConnection.addListener(listener);
          }
          nodeOf.put(nodeConnection, node.getNodeId());
        }
        for (int slot : slots) {
          if (!all && node.getNodeId().equals(owner(slot))) {
            continue;
          }
          sentSlots.add(slot);
          sentOwners.add(node.getNodeId());
          replies.add(
              nodeConnection
                  .async()
                  .ssubscribe(NewsChannels.shardChannel(slot).getBytes(StandardCharsets.US_ASCII)));
        }
      } catch (RuntimeException e) {
        failedNodes++;
        log.warn("inbox news: cannot subscribe on {}: {}", node.getUri(), e.toString());
      }
    }
    long deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
    int failed = 0;
    for (int i = 0; i < replies.size(); i++) {
      try {
        replies.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        setOwner(sentSlots.get(i), sentOwners.get(i));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        setOwner(sentSlots.get(i), null);
        failed++;
      }
    }
    if (failed > 0 || failedNodes > 0) {
      log.warn(
          "inbox news: {} of {} shard subscriptions failed ({} masters unreachable): retrying",
          failed,
          replies.size(),
          failedNodes);
      scheduler.schedule(this::resubscribeSoon, 1, TimeUnit.SECONDS);
    } else if (!replies.isEmpty()) {
      log.info("inbox news: {} shard channels subscribed", replies.size());
    }
  }

  private String owner(int slot) {
    synchronized (owners) {
      return owners[slot];
    }
  }

  private void setOwner(int slot, String nodeId) {
    synchronized (owners) {
      owners[slot] = nodeId;
    }
  }

  @Override
  public void stop() {
    running = false;
    Disposable subscription = events;
    if (subscription != null) {
      subscription.dispose();
    }
    // Rounds still queued find no connection or not running and do nothing; the scheduler itself
    // is shut down with the context (SyncExecutors).
    ScheduledFuture<?> rounds = periodic;
    if (rounds != null) {
      rounds.cancel(true);
    }
    StatefulRedisClusterPubSubConnection<byte[], byte[]> current = connection;
    connection = null;
    if (current != null) {
      client.removeListener(reconnects);
      current.close();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
