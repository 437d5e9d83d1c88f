package io.messenger.history.event;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.model.ConversationId;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.stereotype.Repository;

/**
 * {@link EventLog} on Cassandra. A seq is claimed by a conditional batch on the newest bucket's
 * partition: {@code UPDATE ... SET head_seq = N+1 IF head_seq = N} (or {@code IF head_seq = null}
 * for the first event of a new bucket) together with the event row. Paxos makes the claim
 * linearizable across any number of service instances; a lost race re-reads the head serially and
 * tries again.
 *
 * <p>Within one instance, appends to the same conversation are serialized (a striped lock) and
 * start from the newest head this instance claimed (a bounded cache, a hint only: Paxos stays the
 * arbiter). So concurrent senders on one instance no longer race each other through Paxos rounds,
 * retries and back-off; only races between instances reach the conditional batch.
 */
@Repository
class CassandraEventLog implements EventLog {

  private static final int MAX_ATTEMPTS = 64;
  private static final int STRIPES = 256;
  private static final int MAX_CACHED_HEADS = 100_000;
  private static final String COLUMNS =
      "seq, kind, actor_id, client_id, at, text, op_type, ref_seq, msg_no";

  private final CqlSession session;
  private final PreparedStatement claimNext;
  private final PreparedStatement claimFirst;
  private final PreparedStatement insert;
  private final PreparedStatement readHead;
  private final PreparedStatement find;
  private final PreparedStatement scan;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final ConcurrentHashMap<String, Head> claimed = new ConcurrentHashMap<>();

  CassandraEventLog(CqlSession session, Keyspace ks) {
    this.session = session;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    String log = ks.table("conversation_log");
    claimNext =
        session.prepare(
            "UPDATE "
                + log
                + " SET head_seq = ?, head_msg_count = ? WHERE conversation_id = ? AND bucket = ?"
                + " IF head_seq = ?");
    claimFirst =
        session.prepare(
            "UPDATE "
                + log
                + " SET head_seq = ?, head_msg_count = ? WHERE conversation_id = ? AND bucket = ?"
                + " IF head_seq = null");
    insert =
        session.prepare(
            "INSERT INTO "
                + log
                + " (conversation_id, bucket, "
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    readHead =
        session.prepare(
            "SELECT head_seq, head_msg_count FROM "
                + log
                + " WHERE conversation_id = ? AND bucket = ? LIMIT 1");
    find =
        session.prepare(
            "SELECT "
                + COLUMNS
                + " FROM "
                + log
                + " WHERE conversation_id = ? AND bucket = ? AND seq = ?");
    scan =
        session.prepare(
            "SELECT "
                + COLUMNS
                + " FROM "
                + log
                + " WHERE conversation_id = ? AND bucket = ? AND seq <= ?");
  }

  @Override
  public LoggedEvent append(ConversationId id, LoggedEvent.Draft draft, Head hint) {
    ReentrantLock lock = stripes[Math.floorMod(id.value().hashCode(), STRIPES)];
    lock.lock();
    try {
      LoggedEvent event = claim(id, draft, newer(hint, claimed.get(id.value())));
      if (claimed.size() >= MAX_CACHED_HEADS) {
        claimed.clear(); // only hints: losing them costs one extra Paxos round each
      }
      claimed.merge(
          id.value(),
          new Head(event.seq(), event.msgNo() + (event.isMessage() ? 1 : 0)),
          CassandraEventLog::newer);
      return event;
    } finally {
      lock.unlock();
    }
  }

  private static Head newer(Head a, Head b) {
    return b == null || a.seq() >= b.seq() ? a : b;
  }

  private LoggedEvent claim(ConversationId id, LoggedEvent.Draft draft, Head hint) {
    Head head = hint;
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      long seq = head.seq() + 1;
      long bucket = EventLog.bucketOf(seq);
      boolean message = draft.kind() == LoggedEvent.EventKind.MESSAGE;
      long msgNo = head.messageCount();
      long count = head.messageCount() + (message ? 1 : 0);
      BoundStatement claim =
          head.seq() == 0 || EventLog.bucketOf(head.seq()) != bucket
              ? claimFirst.bind(seq, count, id.value(), bucket)
              : claimNext.bind(seq, count, id.value(), bucket, head.seq());
      LoggedEvent event = draft.at(id, seq, msgNo);
      BatchStatement batch =
          BatchStatement.newInstance(BatchType.LOGGED, claim, insertOf(event, bucket));
      if (session.execute(batch).wasApplied()) {
        return event;
      }
      // Another writer took this seq: learn the real head and try the next one.
      head = head(id, head);
      if (attempt > 2) {
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000L * attempt));
      }
    }
    throw new IllegalStateException("could not claim a seq after " + MAX_ATTEMPTS + " attempts");
  }

  @Override
  public Head head(ConversationId id, Head hint) {
    long bucket = hint.seq() == 0 ? 0 : EventLog.bucketOf(hint.seq());
    Head best = hint;
    while (true) {
      Row row =
          session
              .execute(
                  readHead
                      .bind(id.value(), bucket)
                      .setConsistencyLevel(ConsistencyLevel.LOCAL_SERIAL))
              .one();
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
        e.kind().name().toLowerCase(java.util.Locale.ROOT),
        e.actorId().value(),
        e.clientId(),
        e.at(),
        e.text(),
        e.opType() == null ? null : e.opType().wireName(),
        e.refSeq(),
        e.msgNo());
  }

  private static LoggedEvent toEvent(ConversationId id, Row row) {
    String op = row.getString("op_type");
    return new LoggedEvent(
        id,
        row.getLong("seq"),
        LoggedEvent.EventKind.valueOf(row.getString("kind").toUpperCase(java.util.Locale.ROOT)),
        UserId.of(row.getString("actor_id")),
        row.getString("client_id"),
        row.getInstant("at"),
        row.getString("text"),
        op == null ? null : OperationType.fromWire(op),
        row.getLong("ref_seq"),
        row.getLong("msg_no"));
  }
}
