package io.messenger.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A text message as the durable record holds it: event {@code seq} of its conversation, sent by
 * {@code senderId}, deduplicated by the sender-scoped {@code clientMsgId}.
 *
 * @param conversationId the conversation the message belongs to
 * @param seq its position in the conversation's sequence (1-based, dense, never reused)
 * @param senderId the member who sent it
 * @param sentAt when the history-service accepted it
 * @param clientMsgId the sender's idempotency key
 * @param text 1 to {@link Limits#HARD_MAX_TEXT_LENGTH} characters (services enforce a lower,
 *     configurable limit)
 */
public record Message(
    ConversationId conversationId,
    long seq,
    UserId senderId,
    Instant sentAt,
    String clientMsgId,
    String text) {

  public Message {
    Objects.requireNonNull(conversationId, "conversationId");
    Limits.requireSeq("seq", seq);
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(sentAt, "sentAt");
    Limits.requireClientId("clientMsgId", clientMsgId);
    Limits.requireText("text", text);
  }
}
