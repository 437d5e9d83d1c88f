package io.messenger.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Model fixtures for tests. */
final class Fixtures {

  static final ConversationId CID = ConversationId.of("c_1");
  static final UserId ALICE = UserId.of("alice");
  static final UserId BOB = UserId.of("bob");
  static final Instant T0 = Instant.parse("2026-11-26T10:15:30.123Z");

  private Fixtures() {}

  static Message text(long seq, String text) {
    return new Message(CID, seq, BOB, T0, "m-" + seq, text);
  }

  static List<InboxItem> everyItemKind() {
    return List.of(
        new InboxItem.MessageItem(text(1, "hello")),
        new InboxItem.OperationItem(
            new OperationEvent(CID, 2, ALICE, T0, "op-1", new Operation.DeleteForMe(1))),
        new InboxItem.OperationItem(
            new OperationEvent(CID, 3, BOB, T0, "op-2", new Operation.Recall(1))),
        new InboxItem.OperationItem(
            new OperationEvent(CID, 4, BOB, T0, "op-3", new Operation.Edit(1, "hullo"))),
        new InboxItem.OperationItem(
            new OperationEvent(CID, 5, ALICE, T0, "op-4", new Operation.Read(4))),
        new InboxItem.SystemItem(
            "created.c_1",
            CID,
            T0,
            new SystemNotification.ConversationCreated(
                ConversationType.GROUP, "team", List.of(ALICE, BOB), ALICE)),
        new InboxItem.SystemItem(
            "added.c_1.1", CID, T0, new SystemNotification.MemberAdded(List.of(BOB), ALICE)),
        new InboxItem.SystemItem(
            "removed.c_1.2", CID, T0, new SystemNotification.MemberRemoved(List.of(BOB), ALICE)),
        new InboxItem.SystemItem(
            "fr-9",
            null,
            T0,
            new SystemNotification.Custom("fr-9", "friend.request", Map.of("from", "carol"))));
  }
}
