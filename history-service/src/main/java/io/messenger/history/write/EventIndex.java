package io.messenger.history.write;

import java.util.concurrent.CompletionStage;

/**
 * An index that every logged event moves, written by {@link Projections} beside the read tables:
 * the conversation list's activity index implements it (package {@code activity}, which depends on
 * this one, not the other way round).
 */
public interface EventIndex {

  /**
   * Records {@code event} in the index, without waiting. Idempotent and safe in any order: the
   * relay applies an event again, and two events may be projected in either order.
   */
  CompletionStage<Void> eventProjected(LoggedEvent event);
}
