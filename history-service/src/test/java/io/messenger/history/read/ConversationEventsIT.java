package io.messenger.history.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import io.messenger.support.security.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/conversations/{cid}/events}: the log in seq order as each member's inbox would
 * have received it, paged by seq.
 */
@HistoryIT
class ConversationEventsIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;

  Api api;
  Writes writes;
  String alice;
  String bob;
  String cid;

  @BeforeEach
  void setUp() {
    api = new Api(port, tokens);
    writes = new Writes(api);
    alice = Api.uniqueUser("alice");
    bob = Api.uniqueUser("bob");
    cid = writes.group(alice, bob);
    writes.send(cid, alice, "m1", "one"); // 1
    writes.send(cid, alice, "m2", "two"); // 2
    writes.send(cid, alice, "m3", "three"); // 3
    writes.operate(cid, alice, "o4", Map.of("type", "edit", "targetSeq", 2, "text", "TWO")); // 4
    writes.operate(cid, alice, "o5", Map.of("type", "recall", "targetSeq", 3)); // 5
    writes.operate(cid, bob, "o6", Map.of("type", "delete_for_me", "targetSeq", 1)); // 6
    writes.operate(cid, bob, "o7", Map.of("type", "read", "upToSeq", 5)); // 7
    writes.operate(cid, alice, "o8", Map.of("type", "read", "upToSeq", 2)); // 8
  }

  @Test
  void eachMemberSeesTheLogAsTheirInboxWouldHaveIt() {
    JsonNode forAlice = events(alice, "");
    assertThat(seqs(forAlice)).containsExactly(1L, 2L, 3L, 4L, 5L, 8L);
    assertThat(forAlice.get("hasMore").asBoolean()).isFalse();
    assertThat(forAlice.get("nextAfter").asLong()).isEqualTo(8);
    JsonNode first = forAlice.get("events").get(0);
    assertThat(first.get("kind").asString()).isEqualTo("message");
    assertThat(first.get("conversationId").asString()).isEqualTo(cid);
    assertThat(first.get("senderId").asString()).isEqualTo(alice);
    assertThat(first.get("clientMsgId").asString()).isEqualTo("m1");
    assertThat(first.get("text").asString()).isEqualTo("one");
    assertThat(first.has("sentAt")).isTrue();
    assertThat(first.has("cursor")).isFalse();
    // The recalled message is its tombstone; the edit is an operation of its own.
    JsonNode recalled = forAlice.get("events").get(2);
    assertThat(recalled.get("recalled").asBoolean()).isTrue();
    assertThat(recalled.has("text")).isFalse();
    JsonNode edit = forAlice.get("events").get(3);
    assertThat(edit.get("kind").asString()).isEqualTo("operation");
    assertThat(edit.get("clientOpId").asString()).isEqualTo("o4");
    assertThat(edit.get("operation").get("type").asString()).isEqualTo("edit");
    assertThat(edit.get("operation").get("targetSeq").asLong()).isEqualTo(2);
    assertThat(edit.get("operation").get("text").asString()).isEqualTo("TWO");
    JsonNode read = forAlice.get("events").get(5);
    assertThat(read.get("operation").get("upToSeq").asLong()).isEqualTo(2);
    assertThat(read.get("operation").has("targetSeq")).isFalse();

    // Bob deleted message 1 for himself; his own delete and read marker reach only him.
    assertThat(seqs(events(bob, ""))).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
  }

  @Test
  void pagesFollowEachOtherBySeqWithoutLossOrRepeat() {
    List<Long> seen = new ArrayList<>();
    String after = "0";
    boolean more = true;
    int pages = 0;
    while (more) {
      JsonNode page = events(bob, "&limit=2&after=" + after);
      seen.addAll(seqs(page));
      more = page.get("hasMore").asBoolean();
      after = String.valueOf(page.get("nextAfter").asLong());
      pages++;
    }
    assertThat(pages).isEqualTo(4);
    assertThat(seen).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);
    JsonNode end = events(bob, "&after=8");
    assertThat(end.get("events").size()).isZero();
    assertThat(end.get("hasMore").asBoolean()).isFalse();
    assertThat(end.get("nextAfter").asLong()).isEqualTo(8);
  }

  @Test
  void membershipChangesAreEventsAtTheirOwnSeq() {
    String carol = Api.uniqueUser("carol");
    String dave = Api.uniqueUser("dave");
    Api.Answer change =
        api.post(
            "/internal/v1/conversations/" + cid + "/members",
            api.serviceToken(),
            Map.of("actorId", alice, "add", List.of(carol, dave), "remove", List.of(bob)));
    assertThat(change.status()).as(String.valueOf(change.body())).isEqualTo(200);
    assertThat(change.body().get("seq").asLong()).isEqualTo(9);
    writes.send(cid, carol, "m10", "hello"); // 10

    JsonNode forCarol = events(carol, "&after=8");
    // One change that added and removed: both system entries, in that order, at its seq.
    assertThat(seqs(forCarol)).containsExactly(9L, 9L, 10L);
    JsonNode added = forCarol.get("events").get(0);
    assertThat(added.get("kind").asString()).isEqualTo("system");
    assertThat(added.get("conversationId").asString()).isEqualTo(cid);
    assertThat(added.get("notification").get("type").asString()).isEqualTo("member.added");
    assertThat(added.get("notification").get("by").asString()).isEqualTo(alice);
    List<String> names = new ArrayList<>();
    added.get("notification").get("members").forEach(m -> names.add(m.asString()));
    assertThat(names).containsExactlyInAnyOrder(carol, dave);
    String changeId = change.body().get("changeId").asString();
    // Named as the members' inboxes have it (the sync-service derives the same id).
    assertThat(added.get("notificationId").asString())
        .isEqualTo(io.messenger.model.SystemNotification.idOf("added", cid, changeId));
    JsonNode removed = forCarol.get("events").get(1);
    assertThat(removed.get("notification").get("type").asString()).isEqualTo("member.removed");
    assertThat(removed.get("notification").get("members").get(0).asString()).isEqualTo(bob);
    assertThat(removed.get("notificationId").asString())
        .isEqualTo(io.messenger.model.SystemNotification.idOf("removed", cid, changeId));
    // Seqs stay dense: the message after the change is 10, and alice's view has all of it.
    assertThat(seqs(events(alice, "&after=8"))).containsExactly(9L, 9L, 10L);
  }

  @Test
  void eventsAreForMembersOnlyAndBadInputIsRefused() {
    String token = api.clientToken(alice, "phone");
    assertThat(
            api.get("/v1/conversations/" + cid + "/events", api.clientToken("mallory", "x"))
                .status())
        .isEqualTo(404);
    for (String query : List.of("?limit=0", "?limit=501", "?after=-1", "?after=x")) {
      assertThat(api.get("/v1/conversations/" + cid + "/events" + query, token).status())
          .as(query)
          .isEqualTo(400);
    }
  }

  private JsonNode events(String user, String query) {
    Api.Answer answer =
        api.get(
            "/v1/conversations/" + cid + "/events?" + query.replaceFirst("^&", ""),
            api.clientToken(user, "phone"));
    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(200);
    return answer.body();
  }

  private static List<Long> seqs(JsonNode page) {
    List<Long> out = new ArrayList<>();
    page.get("events").forEach(e -> out.add(e.get("seq").asLong()));
    return out;
  }
}
