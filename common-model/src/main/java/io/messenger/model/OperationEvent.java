package io.messenger.model;

import java.time.Instant;
import java.util.Objects;

/**
 * An operation as an event of its conversation: it has its own {@code seq} in the same sequence as
 * messages (so "delete 41" may itself be event 57), the acting user and the sender-scoped
 * idempotency key {@code clientOpId}.
 */
public record OperationEvent(
    ConversationId conversationId,
    long seq,
    UserId actorId,
    Instant at,
    String clientOpId,
    Operation operation) {

  public OperationEvent {
    Objects.requireNonNull(conversationId, "conversationId");
    Limits.requireSeq("seq", seq);
    Objects.requireNonNull(actorId, "actorId");
    Objects.requireNonNull(at, "at");
    Limits.requireClientId("clientOpId", clientOpId);
    Objects.requireNonNull(operation, "operation");
    if (operation.referencedSeq() >= seq) {
      throw new IllegalArgumentException("an operation can only refer to an earlier seq");
    }
  }
}
