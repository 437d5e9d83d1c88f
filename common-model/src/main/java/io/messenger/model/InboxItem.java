package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.Objects;

/**
 * What one inbox entry carries, before the inbox gives it a cursor. Three kinds: a {@code message},
 * an {@code operation} to replay on the user's devices, and a {@code system} notification.
 *
 * <p>{@link #dedupeKey()} identifies the item across retries: appending the same item to the same
 * inbox twice must leave one entry.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = InboxItem.MessageItem.class, name = "message"),
  @JsonSubTypes.Type(value = InboxItem.OperationItem.class, name = "operation"),
  @JsonSubTypes.Type(value = InboxItem.SystemItem.class, name = "system")
})
public sealed interface InboxItem {

  /** The entry's kind as named on the wire. */
  @JsonIgnore
  EntryKind kind();

  /** When the underlying event happened. */
  Instant sentAt();

  /** A key unique to the underlying event, so a retried fan-out adds nothing twice. */
  @JsonIgnore
  String dedupeKey();

  /** A new message of a conversation the user belongs to. */
  record MessageItem(Message message) implements InboxItem {
    public MessageItem {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public EntryKind kind() {
      return EntryKind.MESSAGE;
    }

    @JsonIgnore
    @Override
    public Instant sentAt() {
      return message.sentAt();
    }

    @Override
    public String dedupeKey() {
      return "e:" + message.conversationId() + ":" + message.seq();
    }
  }

  /** An operation for the user's devices to apply (delete for me, recall, edit, read). */
  record OperationItem(OperationEvent event) implements InboxItem {
    public OperationItem {
      Objects.requireNonNull(event, "event");
    }

    @Override
    public EntryKind kind() {
      return EntryKind.OPERATION;
    }

    @JsonIgnore
    @Override
    public Instant sentAt() {
      return event.at();
    }

    @Override
    public String dedupeKey() {
      return "e:" + event.conversationId() + ":" + event.seq();
    }
  }

  /**
   * A system notification.
   *
   * @param notificationId unique per notification (for conversation notifications the history
   *     service derives it from the conversation and the change)
   * @param conversationId the conversation concerned, or {@code null} for notifications of other
   *     back-end services
   * @param sentAt when it happened
   * @param notification what happened
   */
  record SystemItem(
      String notificationId,
      ConversationId conversationId,
      Instant sentAt,
      SystemNotification notification)
      implements InboxItem {
    public SystemItem {
      Limits.requireClientId("notificationId", notificationId);
      Objects.requireNonNull(sentAt, "sentAt");
      Objects.requireNonNull(notification, "notification");
    }

    @Override
    public EntryKind kind() {
      return EntryKind.SYSTEM;
    }

    @Override
    public String dedupeKey() {
      return "n:" + notificationId;
    }
  }
}
