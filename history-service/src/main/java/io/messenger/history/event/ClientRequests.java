package io.messenger.history.event;

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
 * event is in the log. A row without a seq is a reservation: a write in flight, or one that died
 * between reserving and recording its seq.
 */
interface ClientRequests {

  /** A stored request. {@code seq} is 0 while the write is in flight. */
  record Request(String kind, String fingerprint, Instant reservedAt, long seq) {
    boolean completed() {
      return seq > 0;
    }
  }

  Optional<Request> find(ConversationId id, UserId actor, String clientId);

  /** {@link #find} without waiting: issued together with the other reads of a write. */
  CompletionStage<Optional<Request>> findAsync(ConversationId id, UserId actor, String clientId);

  /**
   * Reserves the key for this request (lightweight transaction).
   *
   * @return empty when reserved now, else the request that holds the key
   */
  Optional<Request> reserve(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      Instant now);

  /** Takes over a stale reservation; false when another request changed it meanwhile. */
  boolean takeOver(
      ConversationId id, UserId actor, String clientId, Instant staleReservedAt, Instant now);

  /** Records the seq the request's event got. */
  void complete(ConversationId id, UserId actor, String clientId, long seq);

  /** {@link #complete} without waiting: issued together with the projection writes. */
  CompletionStage<Void> completeAsync(ConversationId id, UserId actor, String clientId, long seq);
}
