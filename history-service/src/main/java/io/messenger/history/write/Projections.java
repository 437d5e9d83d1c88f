package io.messenger.history.write;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.messenger.history.cassandra.Async;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.history.cassandra.Memo;
import io.messenger.history.cassandra.Window;
import io.messenger.history.conversation.ConversationStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Applies a logged event to the tables that reads use: the message pages, the delete-for-me
 * overlay, read markers, the conversation's head hints and its place in the members' conversation
 * lists ({@link EventIndex}). Every write is an idempotent upsert whose Cassandra write timestamp
 * is derived from seqs, so applying an event twice, or two events in either order, gives the same
 * result:
 *
 * <ul>
 *   <li>a message row is written at timestamp {@code seq};
 *   <li>an edit sets {@code text, edited_at} at its own (larger) seq, so the newest edit wins;
 *   <li>a recall sets {@code recalled = true, text = null} at {@code 2^50 + seq}, above any edit;
 *   <li>a read marker is written at timestamp {@code upToSeq}, so it only moves forward.
 * </ul>
 */
@Component
public class Projections {

  /** Messages per page partition of {@code messages}. */
  public static final long MESSAGES_PER_BUCKET = 1000;

  private static final long RECALL_TIMESTAMP_BASE = 1L << 50;
  private static final long BUCKET_TIMESTAMP_BASE = 1L << 52;

  /** Statements per unlogged batch: at most 10 partitions, Cassandra's default warning bound. */
  static final int MAX_BATCH_STATEMENTS = 10;

  /** Batches of one event's projection in flight at once (a group's members' rows). */
  private static final int MAX_BATCHES_IN_FLIGHT = 64;

  /** A message longer than this is written in a request of its own (batch size warning: 5 KiB). */
  private static final int MAX_BATCHED_TEXT = 1024;

  private final CqlSession session;
  private final EventLog log;
  private final ConversationStore conversations;
  private final EventIndex activity;
  private final PreparedStatement insertMessage;
  private final PreparedStatement insertBucket;
  private final PreparedStatement recall;
  private final PreparedStatement edit;
  private final PreparedStatement hide;
  private final PreparedStatement read;
  private final PreparedStatement recalled;
  private final BucketIndexMemo buckets = new BucketIndexMemo();

  Projections(
      CqlSession session,
      Keyspace ks,
      EventLog log,
      ConversationStore conversations,
      EventIndex activity) {
    this.session = session;
    this.log = log;
    this.conversations = conversations;
    this.activity = activity;
    String messages = ks.table("messages");
    String key = " WHERE conversation_id = ? AND bucket = ? AND seq = ?";
    insertMessage =
        session.prepare(
            "INSERT INTO "
                + messages
                + " (conversation_id, bucket, seq, msg_no, sender_id, sent_at, client_msg_id, text,"
                + " recalled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, false) USING TIMESTAMP ?");
    insertBucket =
        session.prepare(
            "INSERT INTO "
                + ks.table("message_buckets")
                + " (conversation_id, bucket, first_seq) VALUES (?, ?, ?) USING TIMESTAMP ?");
    recalled = session.prepare("SELECT recalled FROM " + messages + key);
    recall =
        session.prepare(
            "UPDATE " + messages + " USING TIMESTAMP ? SET recalled = true, text = null" + key);
    edit =
        session.prepare(
            "UPDATE " + messages + " USING TIMESTAMP ? SET text = ?, edited_at = ?" + key);
    hide =
        session.prepare(
            "INSERT INTO "
                + ks.table("hidden_messages")
                + " (conversation_id, user_id, seq, hidden_at) VALUES (?, ?, ?, ?)");
    read =
        session.prepare(
            "UPDATE "
                + ks.table("read_markers")
                + " USING TIMESTAMP ? SET read_seq = ? WHERE conversation_id = ? AND user_id = ?");
  }

  /** Whether the message {@code target} (a logged message) has been recalled. */
  public boolean isRecalled(LoggedEvent target) {
    var row =
        session
            .execute(
                recalled.bind(
                    target.conversationId().value(), bucketOfMessage(target.msgNo()), target.seq()))
            .one();
    return row != null && row.getBoolean("recalled");
  }

  /** The page bucket of the message with ordinal {@code msgNo}. */
  public static long bucketOfMessage(long msgNo) {
    return msgNo / MESSAGES_PER_BUCKET;
  }

  /** Applies {@code event}; safe to call again for the same event. */
  public void apply(LoggedEvent event) {
    apply(event, EventIndex.Known.NOTHING);
  }

  /**
   * Applies {@code event} with what the write path already knows of it ({@code known}: the previous
   * event's time, the members), so the activity index need not read those again.
   */
  public void apply(LoggedEvent event, EventIndex.Known known) {
    Async.await(applyAsync(event, known));
  }

  /** {@link #applyAsync(LoggedEvent, EventIndex.Known)} knowing nothing (the relay's re-checks). */
  public CompletableFuture<Void> applyAsync(LoggedEvent event) {
    return applyAsync(event, EventIndex.Known.NOTHING);
  }

  /** {@link #applyAsync(LoggedEvent, EventIndex.Known, List)} with no writes of the caller's. */
  public CompletableFuture<Void> applyAsync(LoggedEvent event, EventIndex.Known known) {
    return applyAsync(event, known, List.of());
  }

  /**
   * Applies {@code event} without waiting for its writes (for an edit or a recall, after reading
   * the target's row): the relay's sweeps apply the events they re-check side by side. Safe to call
   * again for the same event, and in any order: every write is a timestamped upsert.
   *
   * <p>The writes go out in as few requests as they fit ({@link #send}): {@code with} (the caller's
   * own writes, e.g. the client id's record), the read tables' rows, the head hints and, when
   * {@code known} spares the index its reads, the members' list rows. A direct message's whole
   * projection is one request.
   */
  public CompletableFuture<Void> applyAsync(
      LoggedEvent event, EventIndex.Known known, List<BatchableStatement<?>> with) {
    return applyAsync(event, known, with, true, true);
  }

  /**
   * {@link #applyAsync(LoggedEvent, EventIndex.Known, List)} without the conversation's head hints
   * and list position: an older event of a {@link SharedRound}, whose newest event's writer moves
   * those for the round.
   */
  CompletableFuture<Void> applyRowsAsync(
      LoggedEvent event, EventIndex.Known known, List<BatchableStatement<?>> with) {
    return applyAsync(event, known, with, true, false);
  }

  /**
   * Only the head hints and list position of {@code event}: an older event of a {@link SharedRound}
   * whose newest event's writer did not move them in time.
   */
  CompletableFuture<Void> moveHeadAsync(LoggedEvent event, EventIndex.Known known) {
    return applyAsync(event, known, List.of(), false, true);
  }

  private CompletableFuture<Void> applyAsync(
      LoggedEvent event,
      EventIndex.Known known,
      List<BatchableStatement<?>> with,
      boolean rows,
      boolean head) {
    List<BatchableStatement<?>> statements = new ArrayList<>(with);
    List<CompletionStage<?>> writes = new ArrayList<>();
    Runnable afterSent = rows ? addRows(event, statements, writes) : () -> {};
    if (head) {
      moveHead(event, known, statements, writes);
    }
    writes.add(send(statements).thenRun(afterSent));
    return CompletableFuture.allOf(
        writes.stream()
            .map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture[]::new));
  }

  /**
   * Adds the read tables' rows of {@code event} to {@code statements} (a long text's row, sent
   * alone, to {@code writes}); returns what to remember once they are written.
   */
  private Runnable addRows(
      LoggedEvent event, List<BatchableStatement<?>> statements, List<CompletionStage<?>> writes) {
    String cid = event.conversationId().value();
    if (event.isMessage()) {
      long bucket = bucketOfMessage(event.msgNo());
      BoundStatement message =
          insertMessage.bind(
              cid,
              bucket,
              event.seq(),
              event.msgNo(),
              event.actorId().value(),
              event.at(),
              event.clientId(),
              event.text(),
              event.seq());
      if (event.text() != null && event.text().length() > MAX_BATCHED_TEXT) {
        writes.add(run(message)); // alone: a batch this large would trip Cassandra's size warning
      } else {
        statements.add(message);
      }
      // The bucket's index row is written with a write timestamp that falls as the seq grows, so
      // the smallest seq wins: right even if the projection of the bucket's first message failed,
      // and a replay changes nothing. Skipped when this instance wrote a smaller seq already.
      if (buckets.needsWrite(cid, bucket, event.seq())) {
        statements.add(
            insertBucket.bind(cid, bucket, event.seq(), BUCKET_TIMESTAMP_BASE - event.seq()));
        return () -> buckets.written(cid, bucket, event.seq());
      }
    } else if (event.isOperation()) {
      // (a membership change has no read table of its own: its member rows are written first)
      switch (event.opType()) {
        case DELETE_FOR_ME ->
            statements.add(hide.bind(cid, event.actorId().value(), event.refSeq(), event.at()));
        case READ ->
            statements.add(read.bind(event.refSeq(), event.refSeq(), cid, event.actorId().value()));
        case RECALL, EDIT -> {
          LoggedEvent target =
              log.find(event.conversationId(), event.refSeq())
                  .orElseThrow(() -> new IllegalStateException("target of " + event + " missing"));
          long bucket = bucketOfMessage(target.msgNo());
          statements.add(
              event.opType() == io.messenger.model.OperationType.RECALL
                  ? recall.bind(RECALL_TIMESTAMP_BASE + event.seq(), cid, bucket, target.seq())
                  : edit.bind(event.seq(), event.text(), event.at(), cid, bucket, target.seq()));
        }
      }
    }
    return () -> {};
  }

  /**
   * Adds the head hints, the list position and the members' list rows of {@code event} to {@code
   * statements}, or, when the index must read first, its writes to {@code writes}.
   */
  private void moveHead(
      LoggedEvent event,
      EventIndex.Known known,
      List<BatchableStatement<?>> statements,
      List<CompletionStage<?>> writes) {
    // The head hints and the list position are timestamped upserts too: written together with the
    // rows, not after.
    statements.add(
        conversations.recordHead(
            event.conversationId(),
            event.seq(),
            event.msgNo() + (event.isMessage() ? 1 : 0),
            event.isMessage(),
            event.at()));
    // The conversation list's activity index: the members' rows moved, in the same requests when
    // the write path knows what the index would read.
    Optional<List<BatchableStatement<?>>> index = activity.writesIfKnown(event, known);
    if (index.isPresent()) {
      statements.addAll(index.get());
    } else {
      writes.add(activity.eventProjected(event, known));
    }
  }

  /**
   * Sends independent single-partition writes in unlogged batches of at most {@value
   * #MAX_BATCH_STATEMENTS} statements, side by side: one request per batch instead of one per
   * statement. An unlogged batch is not atomic across partitions, which none of these writes needs
   * (each is an idempotent timestamped upsert that a failure leaves for the retry or the relay);
   * the bound keeps a batch under Cassandra's warning of batches across more than 10 partitions.
   */
  private CompletionStage<?> send(List<BatchableStatement<?>> statements) {
    List<Supplier<CompletionStage<?>>> batches = new ArrayList<>();
    for (int from = 0; from < statements.size(); from += MAX_BATCH_STATEMENTS) {
      List<BatchableStatement<?>> part =
          statements.subList(from, Math.min(statements.size(), from + MAX_BATCH_STATEMENTS));
      BatchStatement batch =
          part.size() == 1 ? null : BatchStatement.newInstance(BatchType.UNLOGGED, part);
      batches.add(() -> batch == null ? run(part.get(0)) : run(batch));
    }
    return Window.run(batches, MAX_BATCHES_IN_FLIGHT);
  }

  private CompletionStage<?> run(Statement<?> statement) {
    return session.executeAsync(statement.setIdempotent(true));
  }

  /**
   * The bucket index rows this instance has written, by the smallest seq it wrote each with. A
   * later message of the same bucket would write a row that loses to that one (the smallest seq
   * wins), so it is skipped: one write fewer per message. Only successful writes are remembered, so
   * a failed one is written again by the next message or by the relay's re-check. Bounded: a full
   * memo is cleared, which costs one write per bucket again.
   */
  static final class BucketIndexMemo {

    private final Memo<String, Long> firstWritten = new Memo<>(Math::min);

    boolean needsWrite(String conversation, long bucket, long seq) {
      Long first = firstWritten.get(conversation + '/' + bucket);
      return first == null || first > seq;
    }

    void written(String conversation, long bucket, long seq) {
      firstWritten.remember(conversation + '/' + bucket, seq);
    }
  }
}
