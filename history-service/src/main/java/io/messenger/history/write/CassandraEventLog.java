package io.messenger.history.write;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.HistoryMetrics;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.history.cassandra.Memo;
import io.messenger.model.ConversationId;
import io.messenger.model.OperationType;
import io.messenger.model.Sha256;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.springframework.stereotype.Repository;

/**
 * {@link EventLog} on Cassandra: one conditional batch (one Paxos round) on the newest bucket's
 * partition logs every write queued for the conversation ({@link CommitLanes}). The batch holds
 *
 * <ul>
 *   <li>{@code UPDATE ... SET head_seq = N+k, head_msg_count = m IF head_seq = N} (or {@code IF
 *       head_seq = null} for the first events of a new bucket): the claim of k dense seqs;
 *   <li>the k event rows at seqs N+1 ... N+k;
 *   <li>per client write, a <em>request row</em> {@code INSERT ... IF NOT EXISTS} at a negative
 *       clustering key derived from (actor, client id), holding the seq, kind and fingerprint: the
 *       idempotency key is decided in the same round as the seq, no LWT of its own.
 * </ul>
 *
 * <p>Paxos applies all or nothing. When the round fails, Cassandra answers the current values of
 * the conditioned rows: a moved head is taken from there (no extra serial read), a request row that
 * exists resolves that write as a {@link Appended.Duplicate}, and the rest go again. Request rows
 * guard the bucket that holds them; across a bucket boundary the {@code client_requests} table
 * (written right after the round) is the index (see docs/architecture.md).
 */
@Repository
class CassandraEventLog implements EventLog {

  static final int MAX_BATCH = 64;
  private static final int MAX_ATTEMPTS = 64;
  private static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(4);
  private static final String REQUEST_ROW = "request";
  private static final String COLUMNS =
      "seq, kind, actor_id, client_id, at, text, op_type, ref_seq, msg_no, large";

  private final CqlSession session;
  private final PreparedStatement claimNext;
  private final PreparedStatement claimFirst;
  private final PreparedStatement insert;
  private final PreparedStatement insertRequest;
  private final PreparedStatement readHead;
  private final PreparedStatement find;
  private final PreparedStatement scan;
  private final PreparedStatement range;
  private final CommitLanes<Pending> lanes = new CommitLanes<>(MAX_BATCH);

  /** The newest head this instance claimed or saw per conversation: the next round's guess. */
  private final Memo<String, Head> claimed = new Memo<>(CassandraEventLog::newer);

  /**
   * The newest event this instance logged per conversation (seq and time): the next event's
   * projection moves the conversation list's rows from that time, known here without a read.
   */
  private final Memo<String, Logged> newestLogged =
      new Memo<>((a, b) -> a.seq() >= b.seq() ? a : b);

  private final DistributionSummary batchSize;
  private final Counter applied;
  private final Counter raced;
  private final Counter duplicate;

  CassandraEventLog(CqlSession session, Keyspace ks, MeterRegistry meters) {
    this.session = session;
    String log = ks.table("conversation_log");
    String head = " SET head_seq = ?, head_msg_count = ? WHERE conversation_id = ? AND bucket = ?";
    // Both counters in the condition: they move together, a failed round answers both (so the
    // next round needs no serial read), and a stale pair can never number a message wrongly.
    claimNext = session.prepare("UPDATE " + log + head + " IF head_seq = ? AND head_msg_count = ?");
    claimFirst = session.prepare("UPDATE " + log + head + " IF head_seq = null");
    insert =
        session.prepare(
            "INSERT INTO "
                + log
                + " (conversation_id, bucket, "
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insertRequest =
        session.prepare(
            "INSERT INTO "
                + log
                + " (conversation_id, bucket, seq, kind, actor_id, client_id, at, text, op_type,"
                + " ref_seq) VALUES (?, ?, ?, '"
                + REQUEST_ROW
                + "', ?, ?, ?, ?, ?, ?) IF NOT EXISTS");
    readHead =
        session.prepare(
            "SELECT head_seq, head_msg_count FROM "
                + log
                + " WHERE conversation_id = ? AND bucket = ? LIMIT 1");
    String select =
        "SELECT " + COLUMNS + " FROM " + log + " WHERE conversation_id = ? AND bucket = ?";
    find = session.prepare(select + " AND seq = ?");
    scan = session.prepare(select + " AND seq >= 1 AND seq <= ?");
    range = session.prepare(select + " AND seq > ? AND seq <= ? ORDER BY seq ASC LIMIT ?");
    this.batchSize =
        DistributionSummary.builder(HistoryMetrics.LOG_BATCH)
            .description("events logged by one consensus round")
            .register(meters);
    this.applied = meters.counter(HistoryMetrics.LOG_ROUNDS, "result", "applied");
    this.raced = meters.counter(HistoryMetrics.LOG_ROUNDS, "result", "raced");
    this.duplicate = meters.counter(HistoryMetrics.LOG_ROUNDS, "result", "duplicate");
  }

  private record Logged(long seq, Instant at) {}

  /** A write waiting in its conversation's lane; its outcome is set by the commit. */
  private static final class Pending extends CommitLanes.Item {
    final Write write;
    final Head hint;
    final long deadline = System.nanoTime() + QUEUE_TIMEOUT.toNanos();
    long requestKey;
    Appended result;
    RuntimeException error;

    Pending(Write write, Head hint, long requestKey) {
      this.write = write;
      this.hint = hint;
      this.requestKey = requestKey;
    }

    void done(Appended outcome) {
      result = outcome;
      resolve();
    }

    void failed(RuntimeException e) {
      error = e;
      resolve();
    }
  }

  @Override
  public Appended append(ConversationId id, Write write, Head hint) {
    UserId actor = write.draft().actorId();
    Pending pending = new Pending(write, hint, requestKey(actor, write.draft().clientId()));
    lanes.submit(id.value(), pending, batch -> commit(id, batch));
    if (pending.error != null) {
      throw pending.error;
    }
    if (pending.result == null) {
      throw new IllegalStateException("a write left its lane without an outcome");
    }
    return pending.result;
  }

  @Override
  public LoggedEvent append(ConversationId id, LoggedEvent.Draft draft, Head hint) {
    Pending pending = new Pending(new Write(draft, null, null), hint, 0);
    lanes.submit(id.value(), pending, batch -> commit(id, batch));
    if (pending.error != null) {
      throw pending.error;
    }
    return ((Appended.Created) pending.result).event();
  }

  /**
   * The clustering key of a request row: a negative number from SHA-256 of (actor, client id), in
   * [-2^62, -1], so it never meets an event's seq. Two keys of one bucket colliding (about 2^-39
   * for a full bucket) is detected and the write is logged without its request row.
   */
  static long requestKey(UserId actor, String clientId) {
    if (clientId == null) {
      return 0;
    }
    long bits = ByteBuffer.wrap(Sha256.of(actor.value(), clientId)).getLong();
    return -1 - (bits & 0x3FFF_FFFF_FFFF_FFFFL);
  }

  private void commit(ConversationId id, List<Pending> batch) {
    List<Pending> open = new ArrayList<>(batch);
    Head head = claimed.get(id.value());
    for (Pending p : batch) {
      head = newer(p.hint, head);
    }
    try {
      for (int attempt = 1; !open.isEmpty(); attempt++) {
        long now = System.nanoTime();
        open.removeIf(
            p -> {
              if (now - p.deadline > 0) {
                p.failed(
                    ApiException.unavailable(
                        "the conversation is too busy to take the write now; retry it",
                        Duration.ofSeconds(1),
                        null));
                return true;
              }
              return false;
            });
        if (open.isEmpty()) {
          return;
        }
        if (attempt > MAX_ATTEMPTS) {
          throw new IllegalStateException(
              "could not claim a seq after " + MAX_ATTEMPTS + " rounds");
        }
        head = round(id, open, head, attempt);
      }
    } catch (RuntimeException e) {
      for (Pending p : open) {
        if (!p.resolved()) {
          p.failed(e);
        }
      }
    }
  }

  /**
   * One consensus round for as many open writes as fit the bucket; returns the head to try next.
   */
  private Head round(ConversationId id, List<Pending> open, Head head, int attempt) {
    long bucket = EventLog.bucketOf(head.seq() + 1);
    int take = (int) Math.min(open.size(), (bucket + 1) * BUCKET_SIZE - head.seq());
    List<Pending> part = new ArrayList<>(open.subList(0, take));
    List<LoggedEvent> events = new ArrayList<>(take);
    BatchStatementBuilder statements = BatchStatement.builder(BatchType.LOGGED);
    long seq = head.seq();
    long msgNo = head.messageCount();
    for (Pending p : part) {
      LoggedEvent event = p.write.draft().at(id, ++seq, msgNo);
      msgNo += event.isMessage() ? 1 : 0;
      events.add(event);
      statements.addStatement(insertOf(event, bucket));
      if (p.requestKey != 0) {
        statements.addStatement(requestRowOf(event, bucket, p));
      }
    }
    BoundStatement claim =
        head.seq() == 0 || EventLog.bucketOf(head.seq()) != bucket
            ? claimFirst.bind(seq, msgNo, id.value(), bucket)
            : claimNext.bind(seq, msgNo, id.value(), bucket, head.seq(), head.messageCount());
    statements.addStatement(claim);
    // Sent again by the driver to another node (its coordinator died mid-round) only when every
    // write in it has its request row: a round that was applied then fails its conditions and
    // answers those rows, so each write resolves as a duplicate at the seq it was given. A write
    // without one would be logged a second time.
    boolean keyed = part.stream().allMatch(p -> p.requestKey != 0);
    ResultSet result = session.execute(statements.build().setIdempotent(keyed));
    if (result.wasApplied()) {
      applied.increment();
      batchSize.record(take);
      Instant previous = lastAt(id, head.seq());
      // Client writes logged together share the move of the head (SharedRound), when the time
      // before the round is known; a membership change (no request kind) projects on its own.
      LoggedEvent newest = events.get(take - 1);
      SharedRound shared =
          take > 1
                  && previous != null
                  && part.stream().allMatch(p -> p.write.requestKind() != null)
                  && (newest.isMessage() || events.stream().noneMatch(LoggedEvent::isMessage))
              ? new SharedRound(previous, newest.seq())
              : null;
      for (int i = 0; i < take; i++) {
        LoggedEvent event = events.get(i);
        part.get(i).done(new Appended.Created(event, previous, shared));
        previous = event.at();
      }
      open.removeAll(part);
      Head now = new Head(seq, msgNo);
      remember(id, now, events.get(take - 1));
      return now;
    }
    return afterFailedRound(id, open, part, head, result, attempt);
  }

  private Head afterFailedRound(
      ConversationId id,
      List<Pending> open,
      List<Pending> part,
      Head head,
      ResultSet result,
      int attempt) {
    Head seen = null;
    boolean progress = false;
    for (Row row : result) {
      ColumnDefinitions columns = row.getColumnDefinitions();
      // The head only when the answer carries both counters: a message's ordinal must be exact.
      if (columns.contains("head_seq")
          && !row.isNull("head_seq")
          && columns.contains("head_msg_count")
          && !row.isNull("head_msg_count")) {
        seen = new Head(row.getLong("head_seq"), row.getLong("head_msg_count"));
      }
      if (columns.contains("seq")
          && !row.isNull("seq")
          && row.getLong("seq") < 0
          && columns.contains("actor_id")
          && !row.isNull("actor_id")) {
        progress |= resolveRequestRow(row, open, part);
      }
    }
    if (progress) {
      duplicate.increment();
    } else {
      raced.increment();
    }
    if (seen != null && seen.seq() != head.seq()) {
      return seen;
    }
    if (progress) {
      return head;
    }
    // Nothing in the answer explains the failure: learn the head linearizably.
    if (attempt > 2) {
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000L * attempt));
    }
    return head(id, head);
  }

  /** A request row that exists: its write is a duplicate (or, on a hash collision, keyless). */
  private static boolean resolveRequestRow(Row row, List<Pending> open, List<Pending> part) {
    long key = row.getLong("seq");
    for (Pending p : part) {
      if (p.requestKey != key || p.resolved()) {
        continue;
      }
      LoggedEvent.Draft draft = p.write.draft();
      if (draft.actorId().value().equals(row.getString("actor_id"))
          && draft.clientId().equals(row.getString("client_id"))) {
        p.done(
            new Appended.Duplicate(
                row.getLong("ref_seq"), row.getString("op_type"), row.getString("text")));
        open.remove(p);
      } else {
        p.requestKey = 0; // another key hashed here: log this write without a request row
      }
      return true;
    }
    return false;
  }

  /**
   * Remembers the head a round left and its newest event. Both are hints: a forgotten head costs
   * one extra round, a forgotten event time one read.
   */
  private void remember(ConversationId id, Head head, LoggedEvent newest) {
    claimed.remember(id.value(), head);
    newestLogged.remember(id.value(), new Logged(newest.seq(), newest.at()));
  }

  /** The time of the event at {@code seq} when this instance logged it last, else null. */
  private Instant lastAt(ConversationId id, long seq) {
    Logged newest = newestLogged.get(id.value());
    return newest != null && newest.seq() == seq ? newest.at() : null;
  }

  private static Head newer(Head a, Head b) {
    if (a == null) {
      return b == null ? Head.EMPTY : b;
    }
    return b == null || a.seq() >= b.seq() ? a : b;
  }

  @Override
  public Head head(ConversationId id, Head hint) {
    return readHead(id, hint, ConsistencyLevel.LOCAL_SERIAL);
  }

  @Override
  public Head committedHead(ConversationId id, Head hint) {
    return readHead(id, hint, ConsistencyLevel.LOCAL_QUORUM);
  }

  private Head readHead(ConversationId id, Head hint, ConsistencyLevel consistency) {
    long bucket = hint.seq() == 0 ? 0 : EventLog.bucketOf(hint.seq());
    Head best = hint;
    while (true) {
      Row row =
          session.execute(readHead.bind(id.value(), bucket).setConsistencyLevel(consistency)).one();
      if (row == null || row.isNull("head_seq")) {
        return best;
      }
      best = new Head(row.getLong("head_seq"), row.getLong("head_msg_count"));
      if (best.seq() < (bucket + 1) * BUCKET_SIZE) {
        return best;
      }
      bucket++;
    }
  }

  @Override
  public Optional<LoggedEvent> find(ConversationId id, long seq) {
    if (seq < 1) {
      return Optional.empty();
    }
    Row row = session.execute(find.bind(id.value(), EventLog.bucketOf(seq), seq)).one();
    return row == null || row.isNull("kind") ? Optional.empty() : Optional.of(toEvent(id, row));
  }

  @Override
  public List<LoggedEvent> range(ConversationId id, long after, long upTo, int limit) {
    List<LoggedEvent> events = new ArrayList<>();
    long from = Math.max(after, 0);
    while (from < upTo && events.size() < limit) {
      long bucket = EventLog.bucketOf(from + 1);
      long last = Math.min(upTo, (bucket + 1) * BUCKET_SIZE);
      for (Row row :
          session.execute(range.bind(id.value(), bucket, from, last, limit - events.size()))) {
        if (!row.isNull("kind")) {
          events.add(toEvent(id, row));
        }
      }
      from = last;
    }
    return events;
  }

  @Override
  public Optional<LoggedEvent> findByClientId(
      ConversationId id, UserId actor, String clientId, Instant notBefore, Head hint) {
    Head head = head(id, hint);
    for (long bucket = EventLog.bucketOf(Math.max(1, head.seq())); bucket >= 0; bucket--) {
      for (Row row : session.execute(scan.bind(id.value(), bucket, head.seq()))) {
        if (row.isNull("kind")) {
          continue;
        }
        LoggedEvent event = toEvent(id, row);
        if (event.at().isBefore(notBefore)) {
          return Optional.empty();
        }
        if (event.actorId().equals(actor) && event.clientId().equals(clientId)) {
          return Optional.of(event);
        }
      }
    }
    return Optional.empty();
  }

  private BoundStatement insertOf(LoggedEvent e, long bucket) {
    return insert.bind(
        e.conversationId().value(),
        bucket,
        e.seq(),
        e.kind().name().toLowerCase(Locale.ROOT),
        e.actorId().value(),
        e.clientId(),
        e.at(),
        e.text(),
        e.opType() == null ? null : e.opType().wireName(),
        e.refSeq(),
        e.msgNo(),
        e.large());
  }

  /** The request row of a write: its key, and the seq, kind and fingerprint it is bound to. */
  private BoundStatement requestRowOf(LoggedEvent e, long bucket, Pending p) {
    return insertRequest.bind(
        e.conversationId().value(),
        bucket,
        p.requestKey,
        e.actorId().value(),
        e.clientId(),
        e.at(),
        p.write.fingerprint(),
        p.write.requestKind(),
        e.seq());
  }

  private static LoggedEvent toEvent(ConversationId id, Row row) {
    String op = row.getString("op_type");
    return new LoggedEvent(
        id,
        row.getLong("seq"),
        LoggedEvent.EventKind.valueOf(row.getString("kind").toUpperCase(Locale.ROOT)),
        UserId.of(row.getString("actor_id")),
        row.getString("client_id"),
        row.getInstant("at"),
        row.getString("text"),
        op == null ? null : OperationType.fromWire(op),
        row.getLong("ref_seq"),
        row.getLong("msg_no"),
        row.isNull("large") ? null : row.getBoolean("large"));
  }
}
