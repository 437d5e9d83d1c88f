package io.messenger.sync.relay;

import io.messenger.model.ConversationId;
import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import io.messenger.model.internal.HistoryApi;
import io.messenger.support.problem.ApiException;
import io.messenger.sync.RedisTopology;
import io.messenger.sync.SyncExecutors;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.history.HistoryClient;
import io.messenger.sync.inbox.InboxService;
import io.messenger.sync.largegroup.LargeGroupStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * A relay worker: every {@code max-lag / 10} it reports the events this instance's writes delivered
 * themselves ({@link DeliveryConfirmations}: the history-service moves the relay checkpoints over
 * them, so they are not checked again), takes or renews the leases of the relay shards it can get
 * and sweeps all the ones it holds in one call: the history-service hands out the logged events of
 * marked conversations that are older than {@code max-lag / 5} and past the conversation's relay
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
  static final int SHARDS = HistoryApi.RELAY_SHARDS;
  private static final int MAX_SWEEPS_PER_SHARD = 8;
  private static final int MAX_CONFIRMATIONS = HistoryApi.MAX_RELAY_BATCH;

  private final HistoryClient history;
  private final RedisTopology topology;
  private final InboxService inbox;
  private final LargeGroupStore largeGroups;
  private final DeliveryConfirmations confirmations;
  private final Replication replication;
  private final RelayLeases leases;
  private final DeliveryProperties properties;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Counter redriven;
  private final Counter checked;
  private final Timer lag;
  private final AtomicInteger held = new AtomicInteger();
  private final String[] cursors = new String[SHARDS];
  private int passes; // on the relay's thread only
  // Deliveries done but not yet reported, until the Redis replicas have them (relay thread only;
  // package-private: tests start without any).
  Withheld withheld = Withheld.NOTHING;
  private final ScheduledExecutorService timer;
  private volatile ScheduledFuture<?> schedule;
  volatile long backOffUntil = System.nanoTime(); // package-private: tests end a back-off

  DeliveryRelay(
      HistoryClient history,
      InboxService inbox,
      LargeGroupStore largeGroups,
      DeliveryConfirmations confirmations,
      Replication replication,
      RelayLeases leases,
      DeliveryProperties properties,
      Clock clock,
      MeterRegistry meters,
      SyncExecutors executors,
      RedisTopology topology) {
    this.history = history;
    this.topology = topology;
    this.timer = executors.scheduler("delivery-relay");
    this.inbox = inbox;
    this.largeGroups = largeGroups;
    this.confirmations = confirmations;
    this.replication = replication;
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

  /**
   * One pass: report this instance's confirmations, renew or take the shard leases, then sweep
   * every held shard in one call (repeated for the shards cut short, up to {@value
   * #MAX_SWEEPS_PER_SHARD} rounds), deliver, and report back in one call per round. Runs on the
   * relay's own thread.
   */
  void runOnce() {
    if (System.nanoTime() - backOffUntil < 0) {
      return; // its history-service was unreachable: leave the shards to others for a while
    }
    try {
      reportWithheld();
      reportConfirmations();
    } catch (RuntimeException e) {
      if (unavailable(e)) {
        log.warn("relay pass stopped: confirmations not reported: {}", e.getMessage());
        backOff();
        return;
      }
      log.warn("relay confirmations not reported: {}", e.toString());
    }
    List<Integer> holding = new ArrayList<>();
    // A different first shard each pass, so a pass cut by the event budget starves no shard.
    int first = Math.floorMod(passes++, SHARDS);
    for (int i = 0; i < SHARDS; i++) {
      int shard = (first + i) % SHARDS;
      try {
        if (leases.hold(shard, properties.lease())) {
          holding.add(shard);
        }
      } catch (RuntimeException e) {
        count("failed", 1);
        releaseQuietly(shard);
        log.warn("relay lease of shard {} failed: {}", shard, e.toString());
      }
    }
    try {
      sweep(holding);
      count("done", holding.size());
      held.set(holding.size());
    } catch (RuntimeException e) {
      count("failed", holding.size());
      held.set(0);
      if (e instanceof DataAccessException) {
        topology.callFailed(); // a Redis Cluster failover, with no client call to notice it
      }
      // A worker that cannot sweep (its history-service unreachable, Redis failing) must not
      // keep its shards: other workers take them on their next pass.
      holding.forEach(this::releaseQuietly);
      if (unavailable(e)) {
        // The history-service (or its store) is down: each attempt costs it a failed request.
        log.warn("relay pass stopped: {}", e.getMessage());
        backOff();
      } else {
        log.warn("relay sweep of shards {} failed: {}", holding, e.toString());
      }
    }
  }

  /**
   * What the previous pass held back: reported if the replicas caught up with it, else forgotten (a
   * failover may have lost those entries; the sweeps deliver them again).
   */
  private void reportWithheld() {
    Withheld held = withheld;
    if (held.isEmpty()) {
      return;
    }
    withheld = Withheld.NOTHING;
    if (!replication.caughtUp(held.mark())) {
      confirmations.unreplicated(held.confirmed().size());
      log.info(
          "relay: the Redis replicas had not caught up with {} confirmations and {} progress"
              + " reports; the sweeps check those events again",
          held.confirmed().size(),
          held.progress().size());
      return;
    }
    confirm(held.confirmed());
    advance(held.progress());
  }

  /**
   * Reports this instance's confirmations now when no Redis master has a replica to wait for, else
   * holds them back until the next pass.
   */
  private void reportConfirmations() {
    List<HistoryApi.RelayDelivered> taken = confirmations.take(DeliveryConfirmations.CAPACITY);
    if (taken.isEmpty()) {
      return;
    }
    ReplicaMark mark;
    try {
      mark = replication.mark();
    } catch (RuntimeException e) {
      confirmations.lost(taken.size()); // their events are swept instead
      throw e;
    }
    if (mark.none()) {
      confirm(taken);
    } else {
      withheld = withheld.with(taken, List.of(), mark);
    }
  }

  private void confirm(List<HistoryApi.RelayDelivered> delivered) {
    for (int from = 0; from < delivered.size(); from += MAX_CONFIRMATIONS) {
      List<HistoryApi.RelayDelivered> batch =
          delivered.subList(from, Math.min(delivered.size(), from + MAX_CONFIRMATIONS));
      try {
        history.relayConfirm(new HistoryApi.RelayConfirm(List.copyOf(batch)));
      } catch (RuntimeException e) {
        confirmations.lost(delivered.size() - from); // their events are swept instead
        throw e;
      }
      meters
          .counter(SyncMetrics.DELIVERY_CONFIRMATIONS, "outcome", "reported")
          .increment(batch.size());
    }
  }

  private void advance(List<HistoryApi.RelayProgress> progress) {
    for (int from = 0; from < progress.size(); from += MAX_CONFIRMATIONS) {
      history.relayAdvance(
          new HistoryApi.RelayAdvance(
              List.copyOf(
                  progress.subList(from, Math.min(progress.size(), from + MAX_CONFIRMATIONS)))));
    }
  }

  private static boolean unavailable(RuntimeException e) {
    return e instanceof ApiException api && api.status() == HttpStatus.SERVICE_UNAVAILABLE;
  }

  private void backOff() {
    backOffUntil = System.nanoTime() + properties.lease().toNanos();
  }

  private void releaseQuietly(int shard) {
    try {
      leases.release(shard);
    } catch (RuntimeException e) {
      log.debug("could not release relay shard {}: {}", shard, e.toString());
    }
  }

  private void sweep(List<Integer> shards) {
    List<Integer> pending = shards;
    for (int round = 0; round < MAX_SWEEPS_PER_SHARD && !pending.isEmpty(); round++) {
      List<HistoryApi.RelayShard> asked =
          pending.stream().map(shard -> new HistoryApi.RelayShard(shard, cursors[shard])).toList();
      HistoryApi.RelaySweptShards swept =
          history.relaySweeps(new HistoryApi.RelaySweeps(asked, properties.settle().toMillis()));
      Instant now = clock.instant();
      List<HistoryApi.RelayProgress> progress = new ArrayList<>();
      List<Integer> next = new ArrayList<>();
      for (HistoryApi.RelayShardSwept shard : swept.sweeps()) {
        shard.deliveries().forEach(delivery -> deliver(delivery, now));
        progress.addAll(shard.progress());
      }
      // Per round, not once per pass: a conversation cut by the event budget is swept again in
      // the next round from its checkpoint, which must have moved by then (without replicas).
      if (!progress.isEmpty()) {
        // After the deliveries: a mark taken now covers them.
        ReplicaMark mark = replication.mark();
        if (mark.none()) {
          advance(progress);
        } else {
          withheld = withheld.with(List.of(), progress, mark);
        }
      }
      for (HistoryApi.RelayShardSwept shard : swept.sweeps()) {
        cursors[shard.shard()] = shard.next();
        if (!shard.next().isEmpty()) {
          next.add(shard.shard()); // cut short: its rest in the next round
        }
      }
      pending = next;
    }
  }

  private void deliver(HistoryApi.RelayDelivery delivery, Instant now) {
    if (delivery.system() != null) {
      deliverNotice(delivery.system(), delivery.recipients(), now);
      return;
    }
    InboxItem item =
        delivery.message() != null
            ? new InboxItem.MessageItem(delivery.message())
            : new InboxItem.OperationItem(delivery.operation());
    checked.increment();
    ConversationId conversation =
        delivery.message() != null
            ? delivery.message().conversationId()
            : delivery.operation().conversationId();
    long seq = delivery.message() != null ? delivery.message().seq() : delivery.operation().seq();
    // The history-service answers with the group's mode at the sweep; an event of a large period
    // swept after the group shrank is still read diffusion's (else members would get it twice).
    boolean viaHead =
        delivery.largeGroup()
            || (!delivery.recipients().isEmpty() && largeGroups.readDiffused(conversation, seq));
    int added =
        viaHead
            ? advanced(conversation, seq, item.sentAt())
            : inbox.deliver(delivery.recipients(), item).size();
    if (added > 0) {
      redriven.increment(added);
      lag.record(Duration.between(item.sentAt(), now));
      log.info(
          "relay delivered a missed event: conversation={} seq={} inboxes={}",
          conversation.value(),
          seq,
          added);
    }
  }

  /**
   * A membership change's notice, to the inboxes (in a large group too: only the actor and the
   * affected members get it); the inboxes' dedupe by notification id keeps one entry each.
   */
  private void deliverNotice(InboxItem.SystemItem notice, List<UserId> recipients, Instant now) {
    checked.increment();
    int added = inbox.deliver(recipients, notice).size();
    if (added > 0) {
      redriven.increment(added);
      lag.record(Duration.between(notice.sentAt(), now));
      log.info(
          "relay delivered a missed notice: conversation={} notification={} inboxes={}",
          notice.conversationId().value(),
          notice.notificationId(),
          added);
    }
  }

  /**
   * A large group's event, logged at {@code at}: its head moves (1 when the write's own
   * announcement was missed).
   */
  private int advanced(ConversationId conversation, long seq, Instant at) {
    return largeGroups.advance(conversation, seq, at) ? 1 : 0;
  }

  private void count(String outcome, int shards) {
    meters.counter(SyncMetrics.DELIVERY_SWEEPS, "outcome", outcome).increment(shards);
  }

  @Override
  public void start() {
    if (!properties.relay()) {
      return;
    }
    long period = properties.sweepInterval().toMillis();
    schedule = timer.scheduleWithFixedDelay(this::runSafely, period, period, TimeUnit.MILLISECONDS);
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
    ScheduledFuture<?> current = schedule;
    schedule = null;
    if (current != null) {
      current.cancel(true); // interrupts a pass in flight
      SyncExecutors.awaitQueued(timer, 5);
    }
  }

  @Override
  public boolean isRunning() {
    return schedule != null;
  }

  /**
   * Deliveries held back until the replicas have them: the confirmations and progress of one pass,
   * and the mark taken after the last of them (a later mark covers the earlier ones).
   */
  record Withheld(
      List<HistoryApi.RelayDelivered> confirmed,
      List<HistoryApi.RelayProgress> progress,
      ReplicaMark mark) {

    static final Withheld NOTHING = new Withheld(List.of(), List.of(), ReplicaMark.NONE);

    boolean isEmpty() {
      return confirmed.isEmpty() && progress.isEmpty();
    }

    Withheld with(
        List<HistoryApi.RelayDelivered> moreConfirmed,
        List<HistoryApi.RelayProgress> moreProgress,
        ReplicaMark later) {
      List<HistoryApi.RelayDelivered> c = new ArrayList<>(confirmed);
      c.addAll(moreConfirmed);
      List<HistoryApi.RelayProgress> p = new ArrayList<>(progress);
      p.addAll(moreProgress);
      return new Withheld(c, p, later);
    }
  }
}
