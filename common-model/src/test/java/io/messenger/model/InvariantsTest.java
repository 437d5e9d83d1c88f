package io.messenger.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvariantsTest {

  @Test
  void idsFollowThePattern() {
    assertThat(UserId.of("a-Z_09").value()).isEqualTo("a-Z_09");
    assertThat(UserId.of("x".repeat(64))).isNotNull();
    for (String bad : new String[] {"", "x".repeat(65), "a b", "é", "a/b", "a.b"}) {
      assertThatThrownBy(() -> UserId.of(bad)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> DeviceId.of(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> UserId.of(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomConversationIdsAreValidAndDistinct() {
    assertThat(ConversationId.random()).isNotEqualTo(ConversationId.random());
  }

  @Test
  void messageTextMustNotBeEmptyOrHuge() {
    assertThatThrownBy(() -> Fixtures.text(1, "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fixtures.text(1, "x".repeat(Limits.HARD_MAX_TEXT_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Fixtures.text(0, "hi")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void operationsNeedTheirFieldsAndReferToEarlierSeqs() {
    assertThatThrownBy(() -> Operation.of(OperationType.RECALL, null, null, null))
        .hasMessageContaining("targetSeq");
    assertThatThrownBy(() -> Operation.of(OperationType.READ, 3L, null, null))
        .hasMessageContaining("upToSeq");
    assertThatThrownBy(() -> Operation.of(OperationType.EDIT, 3L, null, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Operation.of(OperationType.EDIT, 3L, null, "new"))
        .isEqualTo(new Operation.Edit(3, "new"));
    assertThatThrownBy(
            () ->
                new OperationEvent(
                    Fixtures.CID,
                    5,
                    Fixtures.ALICE,
                    Fixtures.T0,
                    "op",
                    new Operation.DeleteForMe(5)))
        .hasMessageContaining("earlier seq");
  }

  @Test
  void listsAreCopied() {
    List<UserId> members = new ArrayList<>(List.of(Fixtures.ALICE));
    var added = new SystemNotification.MemberAdded(members, Fixtures.ALICE);
    members.add(Fixtures.BOB);
    assertThat(added.members()).containsExactly(Fixtures.ALICE);
  }

  @Test
  void customNotificationsCannotImpersonateConversationOnes() {
    assertThatThrownBy(() -> new SystemNotification.Custom("n1", "member.added", Map.of()))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> new SystemNotification.Custom("n1", "Bad Type", Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cursorsParseStrictlyAndCompareNumerically() {
    assertThat(InboxCursor.parse("10-2")).isEqualTo(new InboxCursor(10, 2));
    assertThat(InboxCursor.parse("9-5").isBefore(InboxCursor.parse("10-0"))).isTrue();
    assertThat(InboxCursor.parse("10-10").isAfter(InboxCursor.parse("10-9"))).isTrue();
    assertThat(InboxCursor.ZERO.toString()).isEqualTo("0-0");
    for (String bad :
        new String[] {
          "", "10", "10-", "-1-0", "01-0", "1-01", "a-b", "1-2-3", "99999999999999999999-0", " 1-0"
        }) {
      assertThat(InboxCursor.isWellFormed(bad)).as(bad).isFalse();
    }
  }

  @Test
  void dedupeKeysIdentifyTheEvent() {
    var items = Fixtures.everyItemKind();
    assertThat(items.get(0).dedupeKey()).isEqualTo("e:c_1:1");
    assertThat(items.stream().map(InboxItem::dedupeKey).distinct()).hasSize(items.size());
  }
}
