package io.messenger.history.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import io.messenger.model.ConversationId;
import io.messenger.support.security.Tokens;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The history side of the delivery relay, through its internal API: every logged event of a marked
 * conversation is handed out once past the checkpoint, with its recipients, and a reported
 * checkpoint is not handed out again.
 */
@HistoryIT
class RelaySweepIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired RelayService relay;

  Api api;
  Writes writes;
  String alice;
  String bob;

  @BeforeEach
  void setUp() {
    api = new Api(port, tokens);
    writes = new Writes(api);
    alice = Api.uniqueUser("alice");
    bob = Api.uniqueUser("bob");
  }

  @Test
  void aSweepHandsOutEveryEventPastTheCheckpointOnce() {
    String cid = writes.group(alice, bob);
    writes.send(cid, alice, "r1", "one");
    writes.send(cid, bob, "r2", "two");
    writes.operate(cid, bob, "r3", java.util.Map.of("type", "read", "upToSeq", 2));
    int shard = CassandraRelayMarks.shardOf(ConversationId.of(cid));

    List<RelayService.Delivery> mine = sweepFor(shard, cid);
    assertThat(mine).extracting(d -> d.event().seq()).containsExactly(1L, 2L, 3L);
    assertThat(mine.get(0).recipients())
        .containsExactlyInAnyOrder(
            io.messenger.model.UserId.of(alice), io.messenger.model.UserId.of(bob));
    // A read marker in a group reaches only its actor.
    assertThat(mine.get(2).recipients()).containsExactly(io.messenger.model.UserId.of(bob));

    // Reported back: nothing is handed out again until a new event is logged.
    assertThat(sweepFor(shard, cid)).isEmpty();
    writes.send(cid, alice, "r4", "four");
    assertThat(sweepFor(shard, cid)).extracting(d -> d.event().seq()).containsExactly(4L);
  }

  @Test
  void aMembershipChangeIsHandedOutAsTheNoticesItsOwnFanOutWrites() {
    String carol = Api.uniqueUser("carol");
    String cid = writes.group(alice, bob);
    Api.Answer change =
        api.post(
            "/internal/v1/conversations/" + cid + "/members",
            api.serviceToken(),
            java.util.Map.of("actorId", alice, "add", List.of(carol), "remove", List.of(bob)));
    assertThat(change.status()).isEqualTo(200);
    String changeId = change.body().get("changeId").asString();
    int shard = CassandraRelayMarks.shardOf(ConversationId.of(cid));
    io.messenger.model.UserId a = io.messenger.model.UserId.of(alice);
    io.messenger.model.UserId b = io.messenger.model.UserId.of(bob);
    io.messenger.model.UserId c = io.messenger.model.UserId.of(carol);

    // The change is event 1; its two notices, named as the sync-service names them, go to the
    // members after it (added) and to them and the removed (removed).
    List<RelayService.Delivery> mine = sweepFor(shard, cid);
    assertThat(mine).extracting(d -> d.event().seq()).containsExactly(1L, 1L);
    assertThat(mine.get(0).notification().notificationId())
        .isEqualTo(io.messenger.model.SystemNotification.idOf("added", cid, changeId));
    assertThat(mine.get(0).notification().notification())
        .isEqualTo(new io.messenger.model.SystemNotification.MemberAdded(List.of(c), a));
    assertThat(mine.get(0).recipients()).containsExactlyInAnyOrder(a, c);
    assertThat(mine.get(1).notification().notificationId())
        .isEqualTo(io.messenger.model.SystemNotification.idOf("removed", cid, changeId));
    assertThat(mine.get(1).notification().notification())
        .isEqualTo(new io.messenger.model.SystemNotification.MemberRemoved(List.of(b), a));
    assertThat(mine.get(1).recipients()).containsExactlyInAnyOrder(a, b, c);
    assertThat(sweepFor(shard, cid)).isEmpty();
  }

  @Test
  void confirmedDeliveriesAreNotHandedOutAgainUpToTheFirstGap() {
    String cid = writes.group(alice, bob);
    for (int i = 1; i <= 5; i++) {
      writes.send(cid, alice, "c" + i, "message " + i);
    }
    ConversationId id = ConversationId.of(cid);
    // 1, 2 and 4 were delivered by their writes; 3's fan-out failed, 5's was not reported yet.
    Api.Answer confirmed =
        api.post(
            "/internal/v1/relay/confirm",
            api.serviceToken(),
            java.util.Map.of(
                "delivered",
                List.of(
                    java.util.Map.of("conversationId", cid, "seq", 2),
                    java.util.Map.of("conversationId", cid, "seq", 1),
                    java.util.Map.of("conversationId", cid, "seq", 4))));
    assertThat(confirmed.status()).isEqualTo(200);
    assertThat(confirmed.body().get("advanced").asInt()).isEqualTo(1);

    // The checkpoint moved over 1 and 2 only: from 3 on, everything is checked.
    assertThat(sweepFor(CassandraRelayMarks.shardOf(id), cid))
        .extracting(d -> d.event().seq())
        .containsExactly(3L, 4L, 5L);

    // A confirmation behind the checkpoint changes nothing.
    assertThat(relay.confirm(List.of(new RelayService.Delivered(id, 2)))).isZero();
    writes.send(cid, bob, "c6", "six");
    assertThat(relay.confirm(List.of(new RelayService.Delivered(id, 6)))).isEqualTo(1);
    assertThat(sweepFor(CassandraRelayMarks.shardOf(id), cid)).isEmpty();
  }

  @Test
  void oneCallSweepsSeveralShardsWithinOneEventBudget() {
    String first = writes.group(alice, bob);
    String second = writes.group(bob, alice);
    writes.send(first, alice, "s1", "one");
    writes.send(second, bob, "s2", "two");
    int a = CassandraRelayMarks.shardOf(ConversationId.of(first));
    int b = CassandraRelayMarks.shardOf(ConversationId.of(second));
    // Other test classes' events share the shards (and the 1,000-event budget of a call): follow
    // each shard's "next" until both conversations were handed out or the shards are swept.
    List<String> handedOut = new java.util.ArrayList<>();
    String afterA = "";
    String afterB = "";
    for (int call = 0; call < 100 && !handedOut.containsAll(List.of(first, second)); call++) {
      Api.Answer answer =
          api.post(
              "/internal/v1/relay/sweeps",
              api.serviceToken(),
              java.util.Map.of(
                  "shards",
                  List.of(
                      java.util.Map.of("shard", a, "after", afterA),
                      java.util.Map.of("shard", b, "after", afterB)),
                  "settleMs",
                  0));
      assertThat(answer.status()).isEqualTo(200);
      JsonNode sweeps = answer.body().get("sweeps");
      assertThat(sweeps.size()).isEqualTo(2);
      assertThat(sweeps.get(0).get("shard").asInt()).isEqualTo(a);
      assertThat(sweeps.get(1).get("shard").asInt()).isEqualTo(b);
      sweeps.forEach(
          sweep ->
              sweep
                  .get("deliveries")
                  .forEach(
                      d -> {
                        // Other tests' events share the shards: operations and membership
                        // notices come too.
                        JsonNode event =
                            d.path("message").isObject()
                                ? d.get("message")
                                : d.path("operation").isObject()
                                    ? d.get("operation")
                                    : d.get("system");
                        handedOut.add(event.get("conversationId").asString());
                      }));
      afterA = sweeps.get(0).get("next").asString();
      afterB = sweeps.get(1).get("next").asString();
    }
    assertThat(handedOut).contains(first, second);
    assertThat(
            api.post(
                    "/internal/v1/relay/sweeps",
                    api.serviceToken(),
                    java.util.Map.of("shards", List.of(), "settleMs", 0))
                .status())
        .isEqualTo(400);
  }

  @Test
  void aConversationWithMoreEventsThanOneProjectionWindowIsHandedOutWholeAndInOrder() {
    // The sweep writes the projections of the events it re-checks side by side, a window at a
    // time: every event still comes out once, in seq order, and the edit of an early message is
    // applied over it whatever the order the writes landed in.
    String cid = writes.group(alice, bob);
    int messages = RelayService.PROJECTION_WINDOW * 2 + 5;
    for (int i = 1; i <= messages; i++) {
      writes.send(cid, i % 2 == 0 ? alice : bob, "w" + i, "text " + i);
    }
    writes.operate(
        cid, alice, "w-edit", java.util.Map.of("type", "edit", "targetSeq", 2, "text", "edited"));
    int shard = CassandraRelayMarks.shardOf(ConversationId.of(cid));

    List<RelayService.Delivery> mine = sweepFor(shard, cid);

    assertThat(mine)
        .extracting(d -> d.event().seq())
        .containsExactlyElementsOf(
            java.util.stream.LongStream.rangeClosed(1, messages + 1).boxed().toList());
    JsonNode page =
        api.get("/v1/conversations/" + cid + "/messages?limit=100", api.clientToken(alice, "phone"))
            .body();
    JsonNode second = null;
    for (JsonNode m : page.get("messages")) {
      if (m.get("seq").asLong() == 2) {
        second = m;
      }
    }
    assertThat(second).isNotNull();
    assertThat(second.get("text").asString()).isEqualTo("edited");
  }

  @Test
  void theSweepApiIsInternalAndValidated() {
    Api.Answer refused =
        api.post(
            "/internal/v1/relay/sweep",
            api.clientToken(alice, "phone"),
            java.util.Map.of("shard", 0, "after", "", "settleMs", 0));
    assertThat(refused.status()).isIn(401, 403);
    Api.Answer bad =
        api.post(
            "/internal/v1/relay/sweep",
            api.serviceToken(),
            java.util.Map.of("shard", 99, "after", "", "settleMs", 0));
    assertThat(bad.status()).isEqualTo(400);
    Api.Answer ok =
        api.post(
            "/internal/v1/relay/sweep",
            api.serviceToken(),
            java.util.Map.of("shard", 3, "after", "", "settleMs", 60_000));
    assertThat(ok.status()).isEqualTo(200);
    JsonNode body = ok.body();
    assertThat(body.has("deliveries")).isTrue();
  }

  /** Sweeps the whole shard (settle 0), reports the progress, returns the deliveries of cid. */
  private List<RelayService.Delivery> sweepFor(int shard, String cid) {
    List<RelayService.Delivery> mine = new java.util.ArrayList<>();
    String after = "";
    do {
      RelayService.Sweep sweep = relay.sweep(shard, after, Duration.ZERO);
      sweep.deliveries().stream()
          .filter(d -> d.event().conversationId().value().equals(cid))
          .forEach(mine::add);
      relay.advance(sweep.progress());
      after = sweep.next();
    } while (!after.isEmpty());
    return mine;
  }
}
