package io.messenger.history.write;

import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Idempotency of client writes, keyed by (conversation, sender, client id).
 *
 * <p>Table {@code client_requests}: one single-row partition per key; {@code fingerprint} is a hash
 * of the request's content (a retry must match it, otherwise 409); {@code seq} is set once the
 * event is in the log. Rows are written after the event was logged (the log's request rows decide
 * uniqueness within a log partition); a row without a seq is a reservation left by the first
 * version's write path, which reserved before logging.
 */
interface ClientRequests {

  /**
   * A stored request. {@code seq} is 0 for a reservation left by the first version's write path.
   */
  record Request(String kind, String fingerprint, Instant reservedAt, long seq) {
    boolean completed() {
      return seq > 0;
    }
  }

  Optional<Request> find(ConversationId id, UserId actor, String clientId);

  /** {@link #find} without waiting: issued together with the other reads of a write. */
  CompletionStage<Optional<Request>> findAsync(ConversationId id, UserId actor, String clientId);

  /**
   * The statement that records the seq the request's event got, with what it is bound to (kind,
   * fingerprint): the index of client ids across log partitions. An idempotent upsert, for the
   * caller to send with the event's other writes.
   */
  BatchableStatement<?> complete(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      Instant at,
      long seq);
}
