package io.messenger.sync.relay;

import io.messenger.model.InboxItem;
import io.messenger.support.problem.ApiException;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.history.HistoryApi;
import io.messenger.sync.history.HistoryClient;
import io.messenger.sync.inbox.InboxService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * A relay worker: every {@code max-lag / 10} it takes or renews the leases of the relay shards it
 * can get and sweeps each one it holds: the history-service hands out the logged events of marked
 * conversations that are older than {@code max-lag / 5} and past the conversation's relay
 * checkpoint; the worker appends each to its recipients' inboxes (deduplicated by conversation and
 * seq, so events the write's own fan-out delivered are not delivered twice) and reports the
 * progress back. An event the fan-out missed (its instance died, Redis failed) is so delivered
 * within {@code max-lag}.
 *
 * <p>Metrics: {@value SyncMetrics#DELIVERY_REDRIVEN} (inbox entries the relay had to add), {@value
 * SyncMetrics#DELIVERY_CHECKED} (events it checked), {@value SyncMetrics#DELIVERY_LAG} (how late a
 * re-driven entry arrived), {@value SyncMetrics#DELIVERY_SWEEPS} by outcome, {@value
 * SyncMetrics#DELIVERY_SHARDS} (shards this instance held and swept in its last pass).
 */
@Component
class DeliveryRelay implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(DeliveryRelay.class);
  static final int SHARDS = 16;
  private static final int MAX_SWEEPS_PER_SHARD = 8;

  private final HistoryClient history;
  private final InboxService inbox;
  private final RelayLeases leases;
  private final DeliveryProperties properties;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Counter redriven;
  private final Counter checked;
  private final Timer lag;
  private final AtomicInteger held = new AtomicInteger();
  private final String[] cursors = new String[SHARDS];
  private volatile ScheduledExecutorService timer;
  volatile long backOffUntil = System.nanoTime(); // package-private: tests end a back-off

  DeliveryRelay(
      HistoryClient history,
      InboxService inbox,
      RelayLeases leases,
      DeliveryProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.history = history;
    this.inbox = inbox;
    this.leases = leases;
    this.properties = properties;
    this.clock = clock;
    this.meters = meters;
    this.redriven =
        Counter.builder(SyncMetrics.DELIVERY_REDRIVEN)
            .description("inbox entries the delivery relay added (missed by the write's fan-out)")
            .register(meters);
    this.checked =
        Counter.builder(SyncMetrics.DELIVERY_CHECKED)
            .description("logged events the delivery relay checked against the inboxes")
            .register(meters);
    this.lag =
        Timer.builder(SyncMetrics.DELIVERY_LAG)
            .description("time from an event's logging to its late delivery by the relay")
            .publishPercentileHistogram()
            .register(meters);
    meters.gauge(SyncMetrics.DELIVERY_SHARDS, held);
    java.util.Arrays.fill(cursors, "");
  }

  /** One pass over the shards: lease, sweep, deliver, report. Runs on the relay's own thread. */
  void runOnce() {
    if (System.nanoTime() - backOffUntil < 0) {
      return; // its history-service was unreachable: leave the shards to others for a while
    }
    int holding = 0;
    for (int shard = 0; shard < SHARDS; shard++) {
      try {
        if (!leases.hold(shard, properties.lease())) {
          continue;
        }
        sweep(shard);
        holding++;
        count("done");
      } catch (RuntimeException e) {
        count("failed");
        // A worker that cannot sweep a shard (its history-service unreachable, Redis failing)
        // must not keep it: another worker takes it on its next pass.
        releaseQuietly(shard);
        if (e instanceof ApiException api && api.status() == HttpStatus.SERVICE_UNAVAILABLE) {
          // The history-service (or its store) is down: the other shards would fail alike, and
          // each attempt costs it a failed request. Try again next pass.
          log.warn("relay pass stopped at shard {}: {}", shard, e.getMessage());
          backOffUntil = System.nanoTime() + properties.lease().toNanos();
          break;
        }
        log.warn("relay sweep of shard {} failed: {}", shard, e.toString());
      }
    }
    held.set(holding);
  }

  private void releaseQuietly(int shard) {
    try {
      leases.release(shard);
    } catch (RuntimeException e) {
      log.debug("could not release relay shard {}: {}", shard, e.toString());
    }
  }

  private void sweep(int shard) {
    for (int round = 0; round < MAX_SWEEPS_PER_SHARD; round++) {
      String from = cursors[shard];
      HistoryApi.RelaySwept swept =
          history.relaySweep(
              new HistoryApi.RelaySweep(shard, from, properties.settle().toMillis()));
      Instant now = clock.instant();
      for (HistoryApi.RelayDelivery delivery : swept.deliveries()) {
        InboxItem item =
            delivery.message() != null
                ? new InboxItem.MessageItem(delivery.message())
                : new InboxItem.OperationItem(delivery.operation());
        checked.increment();
        int added = inbox.deliver(delivery.recipients(), item).size();
        if (added > 0) {
          redriven.increment(added);
          lag.record(Duration.between(item.sentAt(), now));
          log.info(
              "relay delivered a missed event: conversation={} seq={} inboxes={}",
              delivery.message() != null
                  ? delivery.message().conversationId().value()
                  : delivery.operation().conversationId().value(),
              delivery.message() != null ? delivery.message().seq() : delivery.operation().seq(),
              added);
        }
      }
      if (!swept.progress().isEmpty()) {
        history.relayAdvance(new HistoryApi.RelayAdvance(swept.progress()));
      }
      cursors[shard] = swept.next();
      if (swept.next().isEmpty()) {
        return; // the whole shard was looked at
      }
    }
  }

  private void count(String outcome) {
    meters.counter(SyncMetrics.DELIVERY_SWEEPS, "outcome", outcome).increment();
  }

  @Override
  public void start() {
    if (!properties.relay()) {
      return;
    }
    ScheduledExecutorService executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "delivery-relay");
              t.setDaemon(true);
              return t;
            });
    long period = properties.sweepInterval().toMillis();
    executor.scheduleWithFixedDelay(this::runSafely, period, period, TimeUnit.MILLISECONDS);
    timer = executor;
  }

  private void runSafely() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      log.warn("relay pass failed", e);
    }
  }

  @Override
  public void stop() {
    ScheduledExecutorService executor = timer;
    timer = null;
    if (executor != null) {
      executor.shutdownNow();
      try {
        executor.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return timer != null;
  }
}
