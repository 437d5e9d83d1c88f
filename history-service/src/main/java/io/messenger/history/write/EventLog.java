package io.messenger.history.write;

import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.Optional;

/**
 * The durable, ordered log of a conversation's events. Seqs are dense (1, 2, 3, ...), strictly
 * increasing and never reused: {@link #append} claims the next seq and writes the event in one
 * atomic step, so an event exists exactly when its seq was claimed, whatever the number of writers.
 *
 * <p>Table {@code conversation_log}: partition (conversation_id, bucket = (seq - 1) / {@link
 * #BUCKET_SIZE}), clustering seq descending; statics {@code head_seq}, {@code head_msg_count} hold
 * the counter while the bucket is the newest.
 */
public interface EventLog {

  /** Events per log partition. */
  long BUCKET_SIZE = 4096;

  /** The log head: the newest seq and the number of messages up to it. */
  record Head(long seq, long messageCount) {
    public static final Head EMPTY = new Head(0, 0);
  }

  /**
   * A client write to log: the event, and what its client id must stay bound to ({@code
   * requestKind} and the content's {@code fingerprint}; a retry is compared with them).
   */
  record Write(LoggedEvent.Draft draft, String requestKind, String fingerprint) {}

  /** The outcome of {@link #append(ConversationId, Write, Head)}. */
  sealed interface Appended {
    /**
     * The event was logged now. {@code previousAt}: the time of the event just before it when this
     * instance knows it without a read (it logged that one too), else null. {@code round}: the
     * round it shares with other client writes of this instance, whose newest event's writer moves
     * the conversation's head for all of them; null when it was logged alone or the round is not
     * shared.
     */
    record Created(LoggedEvent event, Instant previousAt, SharedRound round) implements Appended {

      public Created(LoggedEvent event) {
        this(event, null, null);
      }
    }

    /**
     * The client id was logged before, at {@code seq}, for the request described by {@code
     * requestKind} and {@code fingerprint}: nothing was written now.
     */
    record Duplicate(long seq, String requestKind, String fingerprint) implements Appended {}
  }

  /**
   * Appends the write's event at the next seq, unless its (actor, client id) is already in the
   * newest log partition: the claim of the seq and the uniqueness of the client id are decided in
   * one consensus round, shared by the concurrent writes to the conversation (group commit).
   *
   * @param hint a head known to be at or before the real head (from the conversation row)
   */
  Appended append(ConversationId id, Write write, Head hint);

  /** Appends {@code draft} at the next seq without an idempotency key (tests, tools). */
  LoggedEvent append(ConversationId id, LoggedEvent.Draft draft, Head hint);

  /** Up to {@code limit} events with seqs in {@code (after, upTo]}, oldest first. */
  java.util.List<LoggedEvent> range(ConversationId id, long after, long upTo, int limit);

  Optional<LoggedEvent> find(ConversationId id, long seq);

  /**
   * The real head, read linearizably from the hint's bucket on (a serial read: it also completes a
   * consensus round another writer left half done).
   */
  Head head(ConversationId id, Head hint);

  /** The head as committed rounds left it (a quorum read, no consensus round). */
  Head committedHead(ConversationId id, Head hint);

  /**
   * Searches backwards from the head for the event {@code actor} wrote with {@code clientId},
   * stopping at events older than {@code notBefore}: the recovery path of a write that claimed a
   * seq but did not record it.
   */
  Optional<LoggedEvent> findByClientId(
      ConversationId id, UserId actor, String clientId, Instant notBefore, Head hint);

  static long bucketOf(long seq) {
    return (seq - 1) / BUCKET_SIZE;
  }
}
