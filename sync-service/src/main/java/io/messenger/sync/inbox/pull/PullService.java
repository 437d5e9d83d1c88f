package io.messenger.sync.inbox.pull;

import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.inbox.InboxNews;
import io.messenger.sync.inbox.InboxStore;
import io.messenger.sync.inbox.LargeGroupNews;
import io.messenger.sync.inbox.PendingAcks;
import io.messenger.sync.inbox.PullResult;
import io.messenger.sync.inbox.WireEntry;
import io.messenger.sync.inbox.longpoll.LongPollRegistry;
import io.messenger.sync.largegroup.LargeGroupStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The rules of a pull: read the inbox (and the large groups' news), answer at once or park a
 * long-poll in the {@link LongPollRegistry} until news or the end of the wait; resync accounting.
 * Metrics are recorded here; the store only stores.
 */
@Service
class PullService {

  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final InboxStore store;
  private final LargeGroupStore largeGroups;
  private final PendingAcks pendingAcks;
  private final LongPollRegistry longPolls;
  private final MeterRegistry meters;
  private final Timer immediatePulls;
  private final Timer parkedPulls;
  private final DistributionSummary pullEntries;
  private final Counter wakeups;
  private final Counter refused;

  PullService(
      InboxStore store,
      LargeGroupStore largeGroups,
      PendingAcks pendingAcks,
      LongPollRegistry longPolls,
      MeterRegistry meters) {
    this.store = store;
    this.largeGroups = largeGroups;
    this.pendingAcks = pendingAcks;
    this.longPolls = longPolls;
    this.meters = meters;
    // Two series: pulls answered at once, and parked long-polls (whose time is mostly the wait).
    this.immediatePulls = pullTimer("immediate", meters);
    this.parkedPulls = pullTimer("longpoll", meters);
    this.pullEntries =
        DistributionSummary.builder(SyncMetrics.PULL_ENTRIES)
            .description("entries returned by one pull")
            .register(meters);
    this.wakeups = meters.counter(SyncMetrics.LONGPOLL_WAKEUPS);
    this.refused = meters.counter(SyncMetrics.LONGPOLL_REFUSED);
  }

  /**
   * Pulls the device's inbox after {@code cursor} (or its acked cursor when {@code null}) and
   * answers through {@code exchange}. When nothing is there and {@code wait} is positive, the
   * exchange is parked until a new entry arrives or the wait is over (then it answers with no
   * entries).
   */
  void pull(
      UserId user,
      DeviceId device,
      InboxCursor cursor,
      int limit,
      Duration wait,
      PullExchange exchange) {
    Timer.Sample sample = Timer.start(meters);
    // One round trip for a user in no large group: the inbox's script also reads the user's large
    // groups and the device's acks; only a user in some pays a second one, for the groups' heads.
    PullResult inbox = store.pull(user, device, cursor, pendingAcks.pending(user, device), limit);
    LargeGroupStore.Pending groups = largeGroups.pending(inbox.largeGroupState());
    PullResult first = inbox.with(groups.news(), groups.hasMore());
    if (first.hasNews() || wait.isZero()) {
      exchange.answer(recorded(first, sample, immediatePulls));
      return;
    }
    if (!longPolls.tryPark()) {
      refused.increment();
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          ProblemType.TOO_MANY_WAITING,
          "too many long-polls are waiting on this instance; retry shortly",
          RETRY_AFTER,
          null);
    }
    AtomicBoolean answered = new AtomicBoolean();
    Waiter waiter =
        new Waiter(user, device, first.cursor(), limit, exchange, sample, answered, groups);
    try {
      exchange.park(
          wait,
          () -> {
            if (answered.compareAndSet(false, true)) {
              exchange.answer(recorded(first, sample, parkedPulls));
            }
          },
          () -> {
            answered.set(true);
            longPolls.unregister(user, waiter);
            longPolls.unpark();
          });
    } catch (RuntimeException e) {
      longPolls.unpark();
      throw e;
    }
    waiter.check(false);
  }

  private static Timer pullTimer(String mode, MeterRegistry meters) {
    return Timer.builder(SyncMetrics.PULL)
        .description("inbox pulls, including long-poll waits")
        .tag("mode", mode)
        .publishPercentileHistogram()
        .register(meters);
  }

  private PullResult recorded(PullResult result, Timer.Sample sample, Timer timer) {
    sample.stop(timer);
    pullEntries.record(result.entries().size());
    if (result.resync() != null) {
      meters.counter(SyncMetrics.RESYNC, "reason", result.resync().wireName()).increment();
    }
    return result;
  }

  /**
   * A parked pull. Woken with news of an entry that directly follows its cursor, it answers with
   * that entry; woken by an event of one of the user's large groups that its last read found quiet
   * (no news, newest period open), it answers with that group's news; otherwise it re-reads the
   * inbox and the groups. Either direct answer is the one a re-read would give at the moment of
   * that news (a second news at the same moment comes with the device's next pull); it saves the
   * re-read, which is what waking the 1,000 members of a large group used to cost (two Redis round
   * trips each on 16 waker threads).
   */
  private final class Waiter implements LongPollRegistry.Waiter {
    private final UserId user;
    private final DeviceId device;
    private final InboxCursor cursor;
    private final int limit;
    private final PullExchange exchange;
    private final Timer.Sample sample;
    private final AtomicBoolean answered;
    private volatile Set<ConversationId> groups;
    private volatile Map<ConversationId, LargeGroupStore.Quiet> quiet;

    Waiter(
        UserId user,
        DeviceId device,
        InboxCursor cursor,
        int limit,
        PullExchange exchange,
        Timer.Sample sample,
        AtomicBoolean answered,
        LargeGroupStore.Pending pending) {
      this.user = user;
      this.device = device;
      this.cursor = cursor;
      this.limit = limit;
      this.exchange = exchange;
      this.sample = sample;
      this.answered = answered;
      this.groups = pending.groups();
      this.quiet = pending.quiet();
    }

    @Override
    public boolean answerByGroup(ConversationId group, long seq, long periodStart) {
      LargeGroupStore.Quiet found = quiet.get(group);
      if (found == null || found.periodStart() != periodStart || seq <= found.have()) {
        return false;
      }
      answerWoken(
          new PullResult(null, cursor, cursor, List.of(), false)
              .with(List.of(new LargeGroupNews(group, found.have(), seq, 0)), false));
      return true;
    }

    @Override
    public boolean answer(InboxNews news) {
      // The news is the one entry after our cursor (the stream is append-only and it names its
      // predecessor): the answer a re-read would give at the moment of that append.
      WireEntry next = news.soleEntryAfter(cursor);
      if (next == null) {
        return false;
      }
      answerWoken(new PullResult(null, next.cursor(), cursor, List.of(next), false));
      return true;
    }

    /** Answers with what the news alone told, unless the poll was answered meanwhile. */
    private void answerWoken(PullResult result) {
      if (answered.compareAndSet(false, true)) {
        wakeups.increment();
        exchange.answer(recorded(result, sample, parkedPulls));
      }
    }

    @Override
    public void recheck() {
      check(true);
    }

    /** Registers first, then re-reads: a signal arriving in between wakes it again. */
    void check(boolean woken) {
      if (answered.get()) {
        return;
      }
      longPolls.register(user, this, groups);
      PullResult again;
      try {
        PullResult inbox = store.pull(user, device, cursor, null, limit);
        LargeGroupStore.Pending pending = largeGroups.pending(inbox.largeGroupState());
        groups = pending.groups();
        quiet = pending.quiet();
        again = inbox.with(pending.news(), pending.hasMore());
      } catch (RuntimeException e) {
        longPolls.unregister(user, this);
        if (answered.compareAndSet(false, true)) {
          exchange.fail(e);
        }
        return;
      }
      if (again.hasNews() && answered.compareAndSet(false, true)) {
        longPolls.unregister(user, this);
        if (woken) {
          wakeups.increment();
        }
        exchange.answer(recorded(again, sample, parkedPulls));
      }
    }
  }
}
