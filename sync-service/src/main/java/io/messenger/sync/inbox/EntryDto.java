package io.messenger.sync.inbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
import io.messenger.model.Message;
import io.messenger.model.Operation;
import io.messenger.model.OperationEvent;
import io.messenger.model.SystemNotification;
import java.time.Instant;

/**
 * One inbox entry on the wire: flat, nulls omitted. Messages carry {@code seq, senderId, sentAt,
 * clientMsgId, text}; operations {@code seq, senderId} (the actor){@code , sentAt, clientOpId,
 * operation}; system entries {@code conversationId?, sentAt, notificationId, notification}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EntryDto(
    String cursor,
    String kind,
    String conversationId,
    Long seq,
    String senderId,
    Instant sentAt,
    String clientMsgId,
    String text,
    String clientOpId,
    OperationDto operation,
    String notificationId,
    SystemNotification notification) {

  /** The operation of an {@code operation} entry. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record OperationDto(String type, Long targetSeq, Long upToSeq, String text) {
    static OperationDto of(Operation operation) {
      String type = operation.type().wireName();
      if (operation instanceof Operation.Read read) {
        return new OperationDto(type, null, read.upToSeq(), null);
      }
      String text = operation instanceof Operation.Edit edit ? edit.text() : null;
      return new OperationDto(type, operation.referencedSeq(), null, text);
    }
  }

  public static EntryDto of(InboxEntry entry) {
    return of(entry.cursor().toString(), entry.item());
  }

  /** The entry {@code item} at {@code cursor}; without a cursor ({@code null}) it is left out. */
  static EntryDto of(String cursor, InboxItem item) {
    String kind = item.kind().wireName();
    if (item instanceof InboxItem.MessageItem messageItem) {
      Message m = messageItem.message();
      return new EntryDto(
          cursor,
          kind,
          m.conversationId().value(),
          m.seq(),
          m.senderId().value(),
          m.sentAt(),
          m.clientMsgId(),
          m.text(),
          null,
          null,
          null,
          null);
    }
    if (item instanceof InboxItem.OperationItem operationItem) {
      OperationEvent e = operationItem.event();
      return new EntryDto(
          cursor,
          kind,
          e.conversationId().value(),
          e.seq(),
          e.actorId().value(),
          e.at(),
          null,
          null,
          e.clientOpId(),
          OperationDto.of(e.operation()),
          null,
          null);
    }
    InboxItem.SystemItem s = (InboxItem.SystemItem) item;
    return new EntryDto(
        cursor,
        kind,
        s.conversationId() == null ? null : s.conversationId().value(),
        null,
        null,
        s.sentAt(),
        null,
        null,
        null,
        null,
        s.notificationId(),
        s.notification());
  }
}
