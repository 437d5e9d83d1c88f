package io.messenger.sync.inbox;

import io.messenger.model.ConversationId;
import io.messenger.model.InboxItem;
import io.messenger.model.Message;
import io.messenger.model.Operation;
import io.messenger.model.OperationEvent;
import io.messenger.model.SystemNotification;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.Map;

/** Test fixtures: inbox items. */
public final class Items {

  public static final Instant AT = Instant.parse("2026-01-02T03:04:05Z");

  private Items() {}

  public static InboxItem.MessageItem message(String conversation, long seq, String sender) {
    return new InboxItem.MessageItem(
        new Message(
            ConversationId.of(conversation),
            seq,
            UserId.of(sender),
            AT,
            "m-" + conversation + "-" + seq,
            "text " + seq));
  }

  public static InboxItem.OperationItem edit(String conversation, long seq, long target) {
    return new InboxItem.OperationItem(
        new OperationEvent(
            ConversationId.of(conversation),
            seq,
            UserId.of("alice"),
            AT,
            "op-" + seq,
            new Operation.Edit(target, "edited")));
  }

  public static InboxItem.OperationItem read(String conversation, long seq, long upTo) {
    return new InboxItem.OperationItem(
        new OperationEvent(
            ConversationId.of(conversation),
            seq,
            UserId.of("alice"),
            AT,
            "op-" + seq,
            new Operation.Read(upTo)));
  }

  public static InboxItem.SystemItem notification(String id) {
    return new InboxItem.SystemItem(
        id, null, AT, new SystemNotification.Custom(id, "friend.request", Map.of("from", "bob")));
  }
}
