package io.messenger.history.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.security.Tokens;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Group creation is idempotent by (creator, clientRequestId), and membership changes are
 * serialized: concurrent changes are each computed from the members the previous one left, so none
 * is lost and together they cannot pass the size limit.
 */
@HistoryIT
class MembershipIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired ConversationStore store;
  @Autowired MemberChanges changes;
  @Autowired MembershipIndex activity;
  @Autowired MembershipLog membershipLog;
  @Autowired io.messenger.history.write.EventLog log;

  @Test
  void aGroupCreatedWithAClientRequestIdIsCreatedOnce() {
    Api api = new Api(port, tokens);
    String alice = Api.uniqueUser("alice");
    String bob = Api.uniqueUser("bob");
    Map<String, Object> request =
        Map.of(
            "type", "group",
            "members", List.of(bob),
            "title", "trip",
            "createdBy", alice,
            "clientRequestId", "create-1");
    Api.Answer first = api.post("/internal/v1/conversations", api.serviceToken(), request);
    assertThat(first.status()).isEqualTo(201);
    Api.Answer retry = api.post("/internal/v1/conversations", api.serviceToken(), request);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(first.body());

    Map<String, Object> other = new java.util.HashMap<>(request);
    other.put("title", "another trip");
    Api.Answer conflict = api.post("/internal/v1/conversations", api.serviceToken(), other);
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.body().get("type").asString())
        .isEqualTo("urn:messenger:problem:idempotency-conflict");

    // Scoped to the caller: bob's request with the same id is his own.
    Map<String, Object> bobs = new java.util.HashMap<>(request);
    bobs.put("createdBy", bob);
    bobs.put("members", List.of(alice));
    Api.Answer his = api.post("/internal/v1/conversations", api.serviceToken(), bobs);
    assertThat(his.status()).isEqualTo(201);
    assertThat(his.body().get("conversationId")).isNotEqualTo(first.body().get("conversationId"));

    Api.Answer bad = api.post("/internal/v1/conversations", api.serviceToken(), withId("a.b"));
    assertThat(bad.status()).isEqualTo(400);
  }

  private static Map<String, Object> withId(String clientRequestId) {
    return Map.of(
        "type",
        "group",
        "members",
        List.of("someone"),
        "createdBy",
        "creator",
        "clientRequestId",
        clientRequestId);
  }

  @Test
  void concurrentChangesAreSerializedAndCannotPassTheLimit() throws Exception {
    // A service with a small limit over the real stores: 6 members at most.
    ConversationService service = service(6);
    UserId owner = UserId.of(Api.uniqueUser("owner"));
    ConversationId id =
        service
            .create(
                ConversationType.GROUP, List.of(UserId.of(Api.uniqueUser("m"))), null, owner, null)
            .conversation()
            .id();
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> done = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      UserId newcomer = UserId.of(Api.uniqueUser("n" + i));
      done.add(
          pool.submit(
              () -> {
                start.await();
                try {
                  return !service
                      .changeMembers(id, owner, List.of(newcomer), List.of())
                      .added()
                      .isEmpty();
                } catch (ApiException e) {
                  assertThat(e.getMessage()).containsAnyOf("at most 6", "too often");
                  return false;
                }
              }));
    }
    start.countDown();
    int accepted = 0;
    for (Future<Boolean> f : done) {
      accepted += f.get() ? 1 : 0;
    }
    pool.shutdown();
    // 2 members to start with, room for 4 more: exactly as many were accepted as are there now.
    List<UserId> members = store.members(id);
    assertThat(members).hasSizeLessThanOrEqualTo(6);
    assertThat(members).hasSize(2 + accepted);
    assertThat(changes.current(id).version()).isEqualTo(accepted);
  }

  @Test
  void aChangeWhoseRowsWereNotWrittenIsRolledForwardByTheNext() {
    ConversationService service = service(50);
    UserId owner = UserId.of(Api.uniqueUser("owner"));
    ConversationId id =
        service.create(ConversationType.GROUP, List.of(), null, owner, null).conversation().id();
    // As if a writer of the previous version (no member count) recorded a change and died
    // before writing its member rows.
    UserId ghost = UserId.of(Api.uniqueUser("ghost"));
    MemberChanges.Change recorded =
        new MemberChanges.Change(
            1, "c1", null, List.of(ghost), List.of(), java.time.Instant.now(), false, -1, false);
    assertThat(changes.propose(id, MemberChanges.Change.NONE, recorded)).isTrue();
    assertThat(store.members(id)).doesNotContain(ghost);

    UserId next = UserId.of(Api.uniqueUser("next"));
    ConversationService.MembersChanged change =
        service.changeMembers(id, owner, List.of(next), List.of());
    assertThat(change.members()).contains(ghost, next);
    assertThat(store.members(id)).contains(ghost, next);
    // The count follows: the rolled-forward change counted its rows, the next one added one.
    assertThat(store.find(id).orElseThrow().memberCount()).isEqualTo(3);
    service.changeMembers(id, owner, List.of(), List.of(ghost));
    assertThat(store.find(id).orElseThrow().memberCount()).isEqualTo(2);
    assertThatThrownBy(
            () -> service.changeMembers(id, UserId.of("stranger"), List.of(next), List.of()))
        .isInstanceOf(ApiException.class);
  }

  @Test
  void eachChangeIsLoggedOnceAtItsOwnSeqEvenWhenItsWriterDiedBeforeLoggingIt() {
    ConversationService service = service(50);
    UserId owner = UserId.of(Api.uniqueUser("owner"));
    ConversationId id =
        service.create(ConversationType.GROUP, List.of(), null, owner, null).conversation().id();
    UserId first = UserId.of(Api.uniqueUser("first"));
    ConversationService.MembersChanged added =
        service.changeMembers(id, owner, List.of(first), List.of());
    assertThat(added.seq()).isEqualTo(1);
    assertThat(added.lastSeq()).isEqualTo(1);
    // A change that names no one new changes nothing and logs nothing.
    assertThat(service.changeMembers(id, owner, List.of(first), List.of()).seq()).isZero();

    // As if a writer recorded a change and died before writing its rows and logging it.
    UserId ghost = UserId.of(Api.uniqueUser("ghost"));
    MemberChanges.Change recorded =
        new MemberChanges.Change(
            changes.current(id).version() + 1,
            "died1",
            owner,
            List.of(ghost),
            List.of(),
            java.time.Instant.now(),
            false,
            3,
            false);
    assertThat(changes.propose(id, changes.current(id), recorded)).isTrue();

    ConversationService.MembersChanged removed =
        service.changeMembers(id, owner, List.of(), List.of(first));
    // The dead writer's change was logged by this one, before its own: seqs 2 and 3.
    assertThat(removed.seq()).isEqualTo(3);
    List<io.messenger.history.write.LoggedEvent> events = log.range(id, 0, 10, 10);
    assertThat(events)
        .extracting(e -> e.kind().name() + " " + MembershipLog.changeIdOf(e.clientId()))
        .containsExactly(
            "MEMBERS " + added.changeId(), "MEMBERS died1", "MEMBERS " + removed.changeId());
    assertThat(events).allSatisfy(e -> assertThat(e.actorId()).isEqualTo(owner));
    assertThat(service.memberNamesAsync(id, "died1").toCompletableFuture().join().added())
        .containsExactly(ghost);
    assertThat(
            service.memberNamesAsync(id, removed.changeId()).toCompletableFuture().join().removed())
        .containsExactly(first);
  }

  /** A service over the real stores with its own group size limit. */
  private ConversationService service(int maxMembers) {
    return new ConversationService(
        store,
        changes,
        new GroupProperties(maxMembers),
        new FanoutProperties(500),
        activity,
        membershipLog,
        Clock.systemUTC());
  }
}
