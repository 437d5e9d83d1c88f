package io.messenger.sync.ack;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.sync.StoreErrors;
import io.messenger.sync.SyncExecutors;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.SyncProperties;
import io.messenger.sync.inbox.InboxStore;
import io.messenger.sync.inbox.PendingAcks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

/**
 * Cumulative, monotonic acks, coalesced: an ack is checked against the inbox head, then held in
 * memory per device (the newest wins) and written by a flush every {@code
 * messenger.sync.ack-flush-interval} with one monotonic script per device, so any number of acks
 * within the window cost one store write. Pulls without a cursor on this instance see the held acks
 * at once ({@link PendingAcks}); other instances within one flush interval. Held acks are flushed
 * on shutdown too.
 */
@Service
public class AckCoalescer implements PendingAcks, SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(AckCoalescer.class);

  /**
   * Stops (and flushes) after the web server has stopped taking requests (phase {@code
   * DEFAULT_PHASE - 2048}) and before the Redis connection factory (phase 0) goes away.
   */
  private static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  record DeviceKey(UserId user, DeviceId device) {}

  private final InboxStore store;
  private final Clock clock;
  private final long flushMillis;
  private final Map<DeviceKey, InboxCursor> held = new ConcurrentHashMap<>();
  private final Counter received;
  private final Counter writes;
  private final MeterRegistry meters;
  private final ScheduledExecutorService scheduler;
  private volatile ScheduledFuture<?> flushes;

  AckCoalescer(
      InboxStore store,
      SyncProperties properties,
      Clock clock,
      MeterRegistry meters,
      SyncExecutors executors) {
    this.store = store;
    this.scheduler = executors.scheduler("ack-flush");
    this.clock = clock;
    this.flushMillis = properties.ackFlushInterval().toMillis();
    this.received = meters.counter(SyncMetrics.ACK_RECEIVED);
    this.writes = meters.counter(SyncMetrics.ACK_WRITES);
    this.meters = meters;
  }

  /**
   * Accepts an ack: a cursor beyond the inbox head is refused with 400 {@code cursor-beyond-head};
   * an older one than already acked is a no-op (the flush script only moves forward).
   */
  public void ack(UserId user, DeviceId device, InboxCursor cursor) {
    received.increment();
    InboxCursor head = store.head(user);
    // Without an inbox there is no head: a cursor from the future was never issued, any other one
    // belongs to a lost inbox and is dropped.
    boolean beyond = head == null ? cursor.millis() > clock.millis() : cursor.isAfter(head);
    if (beyond) {
      throw ApiException.badRequest(
          ProblemType.CURSOR_BEYOND_HEAD, "the cursor is beyond the newest entry of the inbox");
    }
    if (head != null) {
      held.merge(new DeviceKey(user, device), cursor, (a, b) -> a.isAfter(b) ? a : b);
    }
  }

  @Override
  public InboxCursor pending(UserId user, DeviceId device) {
    return held.get(new DeviceKey(user, device));
  }

  /** Writes every held ack (one script per device); failed writes are held again. */
  void flush() {
    for (Map.Entry<DeviceKey, InboxCursor> entry : held.entrySet()) {
      DeviceKey key = entry.getKey();
      InboxCursor cursor = entry.getValue();
      if (!held.remove(key, cursor)) {
        continue; // a newer ack arrived; the next flush writes it
      }
      try {
        store.ack(key.user(), key.device(), cursor);
        writes.increment();
      } catch (RuntimeException e) {
        held.merge(key, cursor, (a, b) -> a.isAfter(b) ? a : b);
        StoreErrors.count(meters, StoreErrors.REDIS, e);
        log.warn("ack flush failed, retrying later: {}", e.getMessage());
        return;
      }
    }
  }

  int heldCount() {
    return held.size();
  }

  @Override
  public void start() {
    flushes =
        scheduler.scheduleWithFixedDelay(
            () -> {
              try {
                flush();
              } catch (RuntimeException e) {
                log.warn("ack flush failed", e);
              }
            },
            flushMillis,
            flushMillis,
            TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    ScheduledFuture<?> current = flushes;
    flushes = null;
    if (current != null) {
      current.cancel(false);
      SyncExecutors.awaitQueued(scheduler, 5); // a flush in flight ends before the last one
    }
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("final ack flush failed; {} acks not written", held.size(), e);
    }
  }

  @Override
  public boolean isRunning() {
    return flushes != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
