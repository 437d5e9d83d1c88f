package io.messenger.history.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.messenger.history.cassandra.Async;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A direct conversation's members never change, so an instance reads them once: the write path's
 * member list ({@link ConversationService#firstMembersAsync}) comes from memory after the first
 * read, and still answers who is a member. A group's list is read every time.
 */
class DirectMembersTest {

  private static final int LIMIT = 101;
  private static final UserId ALICE = UserId.of("alice");
  private static final UserId BOB = UserId.of("bob");
  private static final UserId MALLORY = UserId.of("mallory");

  private final ConversationStore store = mock(ConversationStore.class);
  private final ConversationService service =
      new ConversationService(store, null, null, null, null, null, Clock.systemUTC());

  private Conversation stored(ConversationType type, List<UserId> members) {
    ConversationId id = ConversationId.random();
    Conversation row =
        new Conversation(id, type, null, ALICE, Instant.EPOCH, 0, 0, 0, members.size());
    when(store.findAsync(id)).thenReturn(CompletableFuture.completedFuture(Optional.of(row)));
    when(store.membersAsync(id, LIMIT)).thenReturn(CompletableFuture.completedFuture(members));
    when(store.isMemberAsync(any(), any())).thenReturn(CompletableFuture.completedFuture(false));
    return row;
  }

  private Conversation write(ConversationId id, UserId user) {
    return Async.await(
        service.requireMemberAsync(id, user, service.firstMembersAsync(id, LIMIT), LIMIT));
  }

  @Test
  void aDirectConversationsMembersAreReadOnceAndStillDecideMembership() {
    ConversationId id = stored(ConversationType.DIRECT, List.of(ALICE, BOB)).id();

    assertThat(write(id, ALICE).id()).isEqualTo(id);
    assertThat(write(id, BOB).id()).isEqualTo(id);
    assertThat(write(id, ALICE).id()).isEqualTo(id);
    assertThat(Async.await(service.firstMembersAsync(id, LIMIT))).containsExactly(ALICE, BOB);
    assertThatThrownBy(() -> write(id, MALLORY))
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.status().value()).isEqualTo(404));

    verify(store, times(1)).membersAsync(id, LIMIT);
    verify(store, times(4)).findAsync(id); // the row (head hints, existence) is still read
  }

  @Test
  void aGroupsMembersAreReadOnEveryWrite() {
    ConversationId id = stored(ConversationType.GROUP, List.of(ALICE, BOB)).id();

    write(id, ALICE);
    write(id, BOB);

    verify(store, times(2)).membersAsync(id, LIMIT);
  }

  @Test
  void aConversationNotFoundIsNotRemembered() {
    ConversationId id = ConversationId.random();
    when(store.findAsync(id))
        .thenReturn(CompletableFuture.completedFuture(Optional.<Conversation>empty()));
    when(store.membersAsync(id, LIMIT))
        .thenReturn(CompletableFuture.completedFuture(List.<UserId>of()));
    when(store.isMemberAsync(any(), any())).thenReturn(CompletableFuture.completedFuture(false));

    assertThatThrownBy(() -> write(id, ALICE)).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> write(id, ALICE)).isInstanceOf(ApiException.class);

    verify(store, times(2)).membersAsync(any(), anyInt());
  }
}
