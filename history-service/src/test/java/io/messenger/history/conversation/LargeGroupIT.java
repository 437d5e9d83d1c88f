package io.messenger.history.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.write.EventService;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.Operation;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The history side of large groups (threshold {@code messenger.fanout.max-inbox-members} = 500):
 * the mode is decided at creation and at each member change and kept with the group; a large
 * group's events for everyone name no recipients (read diffusion), its actor-only operations still
 * do; a change answers the mode before and after it, the members everyone must hear of, and the
 * newest seq.
 */
@HistoryIT
class LargeGroupIT {

  @Autowired ConversationService conversations;
  @Autowired EventService events;
  @Autowired ConversationStore store;

  @Test
  void aGroupAboveTheThresholdIsLargeAndItsEventsForEveryoneNameNoRecipients() {
    List<UserId> members = users("lg", 501);
    UserId owner = members.get(0);
    ConversationId id =
        conversations
            .create(ConversationType.GROUP, members, null, owner, null)
            .conversation()
            .id();
    assertThat(store.find(id).orElseThrow().large()).isTrue();

    EventService.Written sent = events.sendMessage(id, owner, "m1", "hello");
    assertThat(sent.largeGroup()).isTrue();
    assertThat(sent.recipients()).isEmpty();
    EventService.Written edit =
        events.operate(id, owner, "e1", Operation.of(OperationType.EDIT, 1L, null, "hello!"));
    assertThat(edit.largeGroup()).isTrue();
    EventService.Written hidden =
        events.operate(
            id, members.get(3), "d1", Operation.of(OperationType.DELETE_FOR_ME, 1L, null, null));
    assertThat(hidden.largeGroup()).isFalse();
    assertThat(hidden.recipients()).containsExactly(members.get(3));
    // A retry answers the same.
    assertThat(events.sendMessage(id, owner, "m1", "hello").largeGroup()).isTrue();
  }

  @Test
  void aGroupCrossingTheThresholdBothWaysSaysSoWithTheMembersToIndex() {
    List<UserId> members = users("edge", 502);
    UserId owner = members.get(0);
    ConversationId id =
        conversations
            .create(ConversationType.GROUP, members.subList(0, 500), null, owner, null)
            .conversation()
            .id();
    assertThat(events.sendMessage(id, owner, "s1", "small").recipients()).hasSize(500);

    ConversationService.MembersChanged up =
        conversations.changeMembers(id, owner, List.of(members.get(500)), List.of());
    assertThat(up.wasLarge()).isFalse();
    assertThat(up.large()).isTrue();
    assertThat(up.memberCount()).isEqualTo(501);
    assertThat(up.members()).hasSize(501); // every member, to be indexed
    // The change is the log's event 2: every event before it was written with write diffusion.
    assertThat(up.seq()).isEqualTo(2);
    assertThat(up.lastSeq()).isEqualTo(2);
    EventService.Written large = events.sendMessage(id, owner, "s2", "large");
    assertThat(large.largeGroup()).isTrue();
    assertThat(large.event().seq()).isEqualTo(3);
    assertThat(large.event().large()).isTrue(); // the mode is logged with the event

    // Staying large: only the named users are looked up; the answer lists the first 100.
    ConversationService.MembersChanged stay =
        conversations.changeMembers(
            id, owner, List.of(members.get(501), members.get(1)), List.of());
    assertThat(stay.added()).containsExactly(members.get(501)); // members.get(1) already was
    assertThat(stay.members()).hasSize(100);
    assertThat(stay.memberCount()).isEqualTo(502);

    ConversationService.MembersChanged down =
        conversations.changeMembers(id, owner, List.of(), List.of(members.get(1), members.get(2)));
    assertThat(down.wasLarge()).isTrue();
    assertThat(down.large()).isFalse();
    assertThat(down.members()).hasSize(500);
    assertThat(stay.seq()).isEqualTo(4);
    assertThat(down.lastSeq()).isEqualTo(5);
    EventService.Written small = events.sendMessage(id, owner, "s3", "small again");
    assertThat(small.largeGroup()).isFalse();
    assertThat(small.event().large()).isFalse();
    assertThat(small.recipients()).hasSize(500).doesNotContain(members.get(1), members.get(2));
  }

  private static List<UserId> users(String prefix, int count) {
    List<UserId> users = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      users.add(UserId.of(Api.uniqueUser(prefix + i)));
    }
    return users;
  }
}
