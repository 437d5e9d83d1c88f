package io.messenger.history.relay;

import io.messenger.history.cassandra.Async;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.history.conversation.ConversationStore;
import io.messenger.history.conversation.FanoutProperties;
import io.messenger.history.conversation.MembershipLog;
import io.messenger.history.write.EventLog;
import io.messenger.history.write.LoggedEvent;
import io.messenger.history.write.OperationRules;
import io.messenger.history.write.Projections;
import io.messenger.model.ConversationId;
import io.messenger.model.InboxItem;
import io.messenger.model.SystemNotification;
import io.messenger.model.UserId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.springframework.stereotype.Service;

/**
 * The sweep of one relay shard: for each marked conversation whose newest mark is not yet covered,
 * the logged events after its checkpoint that are older than the settle time, with their
 * recipients, their read tables re-applied (so a projection that failed after logging is repaired
 * too); and what the relay worker reports back once it delivered them ({@link #advance}).
 *
 * <p>A mark is <em>covered</em> once every event up to the head was handed out and the mark is
 * older than {@link #COMMIT_BOUND}, by which time every write that left it has logged or given up
 * (a queued write gives up after 4 s; a consensus round times out in ~2 s). Covered marks cost
 * nothing in later sweeps; a covered mark idle for {@link #IDLE} is deleted after a serial read of
 * the head (which also finishes a round another writer left half done) confirms that nothing is
 * left.
 */
@Service
class RelayService {

  static final Duration COMMIT_BOUND = Duration.ofSeconds(8);
  static final Duration IDLE = Duration.ofSeconds(60);
  static final int MAX_CONVERSATIONS = 200;
  static final int MAX_EVENTS = 1000;

  /**
   * How long one sweep call keeps taking more conversations: the sync-service waits 5 s for the
   * answer ({@code messenger.history.timeout}), and a call it gave up on is work thrown away (its
   * progress is never reported, so the next call does it again). With a ring slowed by a node down,
   * a call that re-applied up to {@link #MAX_EVENTS} projections one after another took longer than
   * that on every pass, and the relay made no progress until the node was back.
   */
  static final Duration TIME_BUDGET = Duration.ofSeconds(2);

  /** Projections of re-checked events written side by side: at most this many events at once. */
  static final int PROJECTION_WINDOW = 32;

  private final CassandraRelayMarks marks;
  private final EventLog log;
  private final ConversationStore conversations;
  private final ConversationService memberships;
  private final Projections projections;
  private final FanoutProperties fanout;
  private final Clock clock;

  RelayService(
      CassandraRelayMarks marks,
      EventLog log,
      ConversationStore conversations,
      ConversationService memberships,
      Projections projections,
      FanoutProperties fanout,
      Clock clock) {
    this.marks = marks;
    this.log = log;
    this.conversations = conversations;
    this.memberships = memberships;
    this.projections = projections;
    this.fanout = fanout;
    this.clock = clock;
  }

  /**
   * One event to deliver again: to the inboxes of {@code recipients}, or, when {@code largeGroup},
   * to the head of its large group (read diffusion; {@code recipients} is then empty). For a
   * membership change, {@code notification} (its {@code member.added} or {@code member.removed}
   * entry, named as the change's own fan-out names it) is what the inboxes get.
   */
  record Delivery(
      LoggedEvent event,
      List<UserId> recipients,
      boolean largeGroup,
      InboxItem.SystemItem notification) {

    Delivery(LoggedEvent event, List<UserId> recipients, boolean largeGroup) {
      this(event, recipients, largeGroup, null);
    }
  }

  /**
   * What the worker reports back for one conversation once it delivered: the checkpoint ({@code
   * upToSeq}, 0 for no change), the mark it covers (0 for none), the mark to delete (0 for none).
   */
  record Progress(ConversationId conversationId, long upToSeq, long coveredMark, long clearMark) {}

  /** One sweep: deliveries, the progress to report after them, and where the next sweep starts. */
  record Sweep(List<Delivery> deliveries, List<Progress> progress, String next) {}

  /** Where a sweep of one shard starts: after this conversation id ("" from the beginning). */
  record ShardCursor(int shard, String after) {}

  /** An event the write's own fan-out delivered to every recipient (its write answered 2xx). */
  record Delivered(ConversationId conversationId, long seq) {}

  Sweep sweep(int shard, String after, Duration settle) {
    return sweep(shard, after, settle, MAX_EVENTS, System.nanoTime() + TIME_BUDGET.toNanos());
  }

  /**
   * Sweeps several shards in one call, in the order given, handing out at most {@link #MAX_EVENTS}
   * events in all: a shard reached after the budget is spent answers nothing and keeps its cursor
   * (the worker sweeps it on its next round or pass, and rotates the order between passes).
   */
  List<Sweep> sweep(List<ShardCursor> shards, Duration settle) {
    List<Sweep> out = new ArrayList<>(shards.size());
    int budget = MAX_EVENTS;
    long deadline = System.nanoTime() + TIME_BUDGET.toNanos();
    for (ShardCursor cursor : shards) {
      String after = cursor.after() == null ? "" : cursor.after();
      if (budget <= 0 || System.nanoTime() - deadline > 0) {
        out.add(new Sweep(List.of(), List.of(), after));
        continue;
      }
      Sweep sweep = sweep(cursor.shard(), after, settle, budget, deadline);
      budget -= sweep.deliveries().size();
      out.add(sweep);
    }
    return out;
  }

  /**
   * Moves the checkpoints over the events whose own fan-out is confirmed, as far as they follow the
   * checkpoint without a gap, so the sweeps need not check them again (no re-applied projections,
   * no inbox calls). An event not confirmed in time (its fan-out failed, or the confirmation was
   * lost) stays behind the checkpoint and is swept as before. Returns how many conversations moved.
   */
  int confirm(List<Delivered> delivered) {
    Map<ConversationId, java.util.TreeSet<Long>> byConversation = new java.util.LinkedHashMap<>();
    for (Delivered d : delivered) {
      byConversation
          .computeIfAbsent(d.conversationId(), k -> new java.util.TreeSet<>())
          .add(d.seq());
    }
    // The checkpoint is read only when the one this instance knows does not join the confirmed
    // seqs (a busy conversation's confirmations usually continue the last one: a write, no read).
    Map<ConversationId, CompletionStage<Long>> reads = new java.util.LinkedHashMap<>();
    byConversation.forEach(
        (id, seqs) -> {
          Long known = marks.knownCheckpoint(id);
          reads.put(
              id,
              known != null && (seqs.contains(known + 1) || seqs.last() <= known)
                  ? CompletableFuture.completedFuture(known)
                  : marks.checkpointAsync(id));
        });
    Async.awaitAll(reads.values());
    List<CompletionStage<?>> writes = new ArrayList<>();
    byConversation.forEach(
        (id, seqs) -> {
          long checkpoint = Async.await(reads.get(id));
          long upTo = checkpoint;
          for (long seq : seqs.tailSet(checkpoint, false)) {
            if (seq != upTo + 1) {
              break; // a gap: the sweep checks from the checkpoint on
            }
            upTo = seq;
          }
          if (upTo > checkpoint) {
            writes.add(marks.checkpoint(id, upTo));
          }
        });
    Async.awaitAll(writes);
    return writes.size();
  }

  /**
   * One shard: at most {@code budget} events, and no further conversation once {@code deadline}
   * ({@link System#nanoTime}) has passed (the first is always taken, so every call progresses).
   */
  private Sweep sweep(int shard, String after, Duration settle, int budget, long deadline) {
    List<CassandraRelayMarks.Mark> listed =
        marks.list(shard, after == null ? "" : after, MAX_CONVERSATIONS);
    String next =
        listed.size() < MAX_CONVERSATIONS ? "" : listed.get(listed.size() - 1).id().value();
    long nowMicros = micros(clock.instant());
    List<CassandraRelayMarks.Mark> open = new ArrayList<>();
    List<Progress> progress = new ArrayList<>();
    for (CassandraRelayMarks.Mark mark : listed) {
      if (!mark.covered()) {
        open.add(mark);
      } else if (mark.micros() <= nowMicros - IDLE.toNanos() / 1000) {
        progress.add(new Progress(mark.id(), 0, 0, mark.micros())); // checked below
      }
    }
    Map<String, Long> checkpoints =
        marks.checkpoints(open.stream().map(m -> m.id().value()).toList());
    progress = new ArrayList<>(confirmIdle(progress));
    List<Delivery> deliveries = new ArrayList<>();
    long settledBefore = nowMicros - settle.toNanos() / 1000;
    // Where the next sweep resumes when this one stops early: after the last conversation that
    // was handed out completely, so a conversation cut by the event limit comes first next time.
    String resumeAfter = after == null ? "" : after;
    boolean first = true;
    for (CassandraRelayMarks.Mark mark : open) {
      if (deliveries.size() >= budget || (!first && System.nanoTime() - deadline > 0)) {
        next = resumeAfter;
        break;
      }
      first = false;
      Optional<Conversation> conversation = conversations.find(mark.id());
      if (conversation.isEmpty()) {
        progress.add(new Progress(mark.id(), 0, mark.micros(), 0)); // nothing to deliver
        resumeAfter = mark.id().value();
        continue;
      }
      Conversation c = conversation.get();
      long checkpoint = checkpoints.getOrDefault(mark.id().value(), 0L);
      EventLog.Head head =
          log.committedHead(mark.id(), new EventLog.Head(c.lastSeq(), c.messageCount()));
      long upTo = checkpoint;
      if (head.seq() > checkpoint) {
        List<List<UserId>> members = new ArrayList<>(1); // read once, when an event needs them
        Supplier<List<UserId>> all =
            () -> {
              if (members.isEmpty()) {
                members.add(conversations.members(mark.id()));
              }
              return members.get(0);
            };
        List<CompletableFuture<Void>> projected = new ArrayList<>();
        for (LoggedEvent event :
            log.range(mark.id(), checkpoint, head.seq(), budget - deliveries.size())) {
          if (micros(event.at()) > settledBefore) {
            break; // its own fan-out may still be running: next sweep
          }
          if (projected.size() >= PROJECTION_WINDOW) {
            Async.awaitAll(projected);
            projected.clear();
          }
          projected.add(projections.applyAsync(event));
          if (event.kind() == LoggedEvent.EventKind.MEMBERS) {
            deliveries.addAll(membershipNotices(c, event, all));
            upTo = event.seq();
            continue;
          }
          // Routed by the mode it was written in: an event written before the group became large
          // still goes to inboxes (every member's, read once), one written while it was large to
          // the group's head, whatever the mode is now.
          if (event.largeOr(c.large()) && OperationRules.reachesAllMembers(c.type(), event)) {
            deliveries.add(new Delivery(event, List.of(), true));
            upTo = event.seq();
            continue;
          }
          Set<UserId> to = new LinkedHashSet<>(OperationRules.recipients(c.type(), event, all));
          to.add(event.actorId());
          deliveries.add(new Delivery(event, List.copyOf(to), false));
          upTo = event.seq();
        }
        Async.awaitAll(projected); // written before the checkpoint may move over them
      }
      // A mark stands for the writes of the next REUSE after it too
      // (CassandraRelayMarks#markAsync).
      boolean covered =
          upTo >= head.seq()
              && mark.micros()
                  <= nowMicros - micros(COMMIT_BOUND) - micros(CassandraRelayMarks.REUSE);
      progress.add(
          new Progress(mark.id(), upTo > checkpoint ? upTo : 0, covered ? mark.micros() : 0, 0));
      if (deliveries.size() >= budget && upTo < head.seq()) {
        next = resumeAfter; // cut by the limit: this conversation again, from its new checkpoint
        break;
      }
      resumeAfter = mark.id().value();
    }
    return new Sweep(deliveries, progress, next);
  }

  /**
   * The inbox entries of a membership change, as its own fan-out writes them: {@code member.added}
   * to the members (in a large group: the actor and the added), {@code member.removed} to the
   * members, the actor and the removed (in a large group: the actor and the removed). "The members"
   * are those at the sweep, which may have changed again since (at least once: a later member can
   * get the notice of an earlier change).
   */
  private List<Delivery> membershipNotices(
      Conversation c, LoggedEvent event, Supplier<List<UserId>> members) {
    boolean large = event.largeOr(c.large());
    ConversationService.MemberNames names =
        Async.await(
            memberships.memberNamesAsync(c.id(), MembershipLog.changeIdOf(event.clientId())));
    List<Delivery> out = new ArrayList<>(2);
    if (!names.added().isEmpty()) {
      Set<UserId> to = new LinkedHashSet<>();
      to.add(event.actorId());
      to.addAll(large ? names.added() : members.get());
      out.add(
          notice(
              event,
              to,
              "added",
              SystemNotification.MemberAdded.of(names.added(), event.actorId(), large)));
    }
    if (!names.removed().isEmpty()) {
      Set<UserId> to = new LinkedHashSet<>();
      to.add(event.actorId());
      if (!large) {
        to.addAll(members.get());
      }
      to.addAll(names.removed());
      out.add(
          notice(
              event,
              to,
              "removed",
              SystemNotification.MemberRemoved.of(names.removed(), event.actorId(), large)));
    }
    return out;
  }

  private static Delivery notice(
      LoggedEvent event, Set<UserId> to, String prefix, SystemNotification notification) {
    String changeId = MembershipLog.changeIdOf(event.clientId());
    return new Delivery(
        event,
        List.copyOf(to),
        false,
        new InboxItem.SystemItem(
            SystemNotification.idOf(prefix, event.conversationId().value(), changeId),
            event.conversationId(),
            event.at(),
            notification));
  }

  /** Keeps the idle marks whose conversation has nothing after its checkpoint (serial head). */
  private List<Progress> confirmIdle(List<Progress> candidates) {
    if (candidates.isEmpty()) {
      return List.of();
    }
    Map<String, Long> checkpoints =
        marks.checkpoints(candidates.stream().map(p -> p.conversationId().value()).toList());
    List<Progress> out = new ArrayList<>();
    for (Progress p : candidates) {
      Optional<Conversation> c = conversations.find(p.conversationId());
      long checkpoint = checkpoints.getOrDefault(p.conversationId().value(), 0L);
      EventLog.Head hint =
          c.map(x -> new EventLog.Head(x.lastSeq(), x.messageCount())).orElse(EventLog.Head.EMPTY);
      if (c.isEmpty() || log.head(p.conversationId(), hint).seq() <= checkpoint) {
        out.add(p);
      }
    }
    return out;
  }

  /** Records what a worker delivered: checkpoints, covered marks, deleted idle marks. */
  void advance(List<Progress> progress) {
    List<CompletionStage<?>> writes = new ArrayList<>();
    for (Progress p : progress) {
      if (p.upToSeq() > 0) {
        writes.add(marks.checkpoint(p.conversationId(), p.upToSeq()));
      }
      if (p.coveredMark() > 0) {
        writes.add(marks.covered(p.conversationId(), p.coveredMark()));
      }
      if (p.clearMark() > 0) {
        writes.add(marks.clear(p.conversationId(), p.clearMark()));
      }
    }
    Async.awaitAll(writes);
  }

  private static long micros(java.time.Instant t) {
    return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
  }

  private static long micros(Duration d) {
    return d.toNanos() / 1_000;
  }
}
