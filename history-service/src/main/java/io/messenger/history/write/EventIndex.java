package io.messenger.history.write;

import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import io.messenger.history.conversation.Conversation;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * An index that every logged event moves, written by {@link Projections} beside the read tables:
 * the conversation list's activity index implements it (package {@code activity}, which depends on
 * this one, not the other way round).
 */
public interface EventIndex {

  /**
   * What the write path already knows when it projects an event, so the index need not read it
   * again: the time of the event just before it ({@code previousAt}, null when unknown), every
   * member of a write-diffusion conversation ({@code members}, null when unknown) and the
   * conversation's row as the write read it ({@code conversation}: its creation time and how its
   * members' lists hold it; null when unknown). Any may be null; the index then reads it.
   */
  record Known(Instant previousAt, List<UserId> members, Conversation conversation) {

    /** Nothing known: the index reads what it needs (the relay's re-applied projections). */
    public static final Known NOTHING = new Known(null, null, null);
  }

  /**
   * Records {@code event} in the index, without waiting. Idempotent and safe in any order: the
   * relay applies an event again, and two events may be projected in either order. The event's
   * position on its conversation's row ({@code last_event_seq}, {@code last_event_at}) is written
   * with the head hints ({@link io.messenger.history.conversation.ConversationStore#recordHead}),
   * not here.
   */
  CompletionStage<Void> eventProjected(LoggedEvent event, Known known);

  /**
   * The writes of {@link #eventProjected} as statements, when {@code known} answers everything the
   * index would otherwise read, so the caller can send them with its own writes in fewer requests;
   * empty when something must be read first (then call {@link #eventProjected}). Each statement is
   * an idempotent, timestamped upsert or delete on a single partition.
   */
  Optional<List<BatchableStatement<?>>> writesIfKnown(LoggedEvent event, Known known);
}
