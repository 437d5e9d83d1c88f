package io.messenger.history.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.messenger.history.support.ActivityRows;
import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The conversation list from the activity index: most recently active first, paged by {@code limit}
 * with a {@code Link: <...>; rel="next"} header, each conversation once; large groups (more than
 * {@code messenger.fanout.max-inbox-members}, 3 here) merged in without per member rows.
 */
@HistoryIT
@TestPropertySource(properties = "messenger.fanout.max-inbox-members=3")
class ConversationListIT {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");

  @LocalServerPort int port;
  @Autowired io.messenger.support.security.Tokens tokens;
  @Autowired CqlSession session;
  @Autowired io.messenger.history.cassandra.Keyspace keyspace;

  Api api;
  Writes writes;

  @BeforeEach
  void setUp() {
    api = new Api(port, tokens);
    writes = new Writes(api);
  }

  /** A conversation id and the time of its newest event. */
  record Activity(String cid, Instant at) {}

  static final Comparator<Activity> NEWEST_FIRST =
      Comparator.comparing(Activity::at).thenComparing(Activity::cid).reversed();

  @Test
  void pagesWalkTheWholeListOnceInActivityOrder() {
    String alice = Api.uniqueUser("alice");
    Map<String, Instant> activity = new HashMap<>();
    List<String> cids = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      Api.Answer created = create(alice, Api.uniqueUser("peer" + i));
      String cid = created.body().get("conversationId").asString();
      cids.add(cid);
      activity.put(cid, Instant.parse(created.body().get("createdAt").asString()));
    }
    // Messages in an order unlike the creation order; some conversations stay quiet.
    for (int i = 0; i < 23; i += 2) {
      String cid = cids.get((i * 7) % 23);
      activity.put(cid, sentAt(writes.send(cid, alice, "m" + i, "hello " + i)));
    }
    List<String> expected = expectedOrder(activity);

    String token = api.clientToken(alice, "phone");
    List<String> walked = walk(token, 5);
    assertThat(walked).containsExactlyElementsOf(expected);
    assertThat(walk(token, 1)).containsExactlyElementsOf(expected);
    assertThat(walk(token, 200)).containsExactlyElementsOf(expected);
    // Without limit: the first 50 (all 23 here), no Link.
    Api.Answer all = api.get("/v1/conversations", token);
    assertThat(all.status()).isEqualTo(200);
    assertThat(ids(all.body())).containsExactlyElementsOf(expected);
    assertThat(all.headers().getFirst("Link")).isNull();
    // limit=1: one conversation, the newest, and a Link that carries the limit.
    Api.Answer one = api.get("/v1/conversations?limit=1", token);
    assertThat(ids(one.body())).containsExactly(expected.get(0));
    assertThat(one.headers().getFirst("Link")).contains("limit=1").contains("rel=\"next\"");
  }

  @Test
  void aConversationThatBecomesActiveMovesToTheFrontAndOperationsCountAsEvents() {
    String alice = Api.uniqueUser("alice");
    String bob = Api.uniqueUser("bob");
    List<String> cids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String cid = writes.group(alice, bob);
      writes.send(cid, bob, "m" + i, "hi");
      cids.add(cid);
    }
    String token = api.clientToken(alice, "phone");
    assertThat(walk(token, 2)).containsExactly(cids.get(3), cids.get(2), cids.get(1), cids.get(0));

    writes.send(cids.get(1), bob, "again", "news");
    assertThat(walk(token, 2)).containsExactly(cids.get(1), cids.get(3), cids.get(2), cids.get(0));
    // An operation is an event of the conversation too (the list orders by the newest event).
    Api.Answer read =
        writes.operate(cids.get(0), alice, "read-0", Map.of("type", "read", "upToSeq", 1));
    assertThat(read.status()).isEqualTo(201);
    assertThat(walk(token, 3)).containsExactly(cids.get(0), cids.get(1), cids.get(3), cids.get(2));
    // Replaying an old event's projection (as the relay does) does not move it back: a retry of
    // the first send answers 200 and re-applies the projection of seq 1 (seq 2 is newer).
    assertThat(writes.send(cids.get(1), bob, "m1", "hi").status()).isEqualTo(200);
    assertThat(walk(token, 3)).containsExactly(cids.get(0), cids.get(1), cids.get(3), cids.get(2));
    assertThat(rowsOf(alice)).hasSize(4);
  }

  @Test
  void aRemovedMemberNoLongerSeesItAndAnAddedOneDoes() {
    String alice = Api.uniqueUser("alice");
    String bob = Api.uniqueUser("bob");
    String carol = Api.uniqueUser("carol");
    String cid = writes.group(alice, bob);
    String other = writes.group(bob, alice);
    writes.send(cid, alice, "m1", "hi");
    assertThat(changeMembers(cid, alice, List.of(carol), List.of(bob)).status()).isEqualTo(200);
    assertThat(walk(api.clientToken(bob, "phone"), 10)).containsExactly(other);
    assertThat(walk(api.clientToken(carol, "phone"), 10)).containsExactly(cid);
    writes.send(cid, alice, "m2", "again");
    assertThat(walk(api.clientToken(bob, "phone"), 10)).containsExactly(other);
    assertThat(walk(api.clientToken(carol, "phone"), 10)).containsExactly(cid);
    assertThat(walk(api.clientToken(alice, "phone"), 10)).containsExactly(cid, other);
    assertThat(rowsOf(bob)).hasSize(1);
  }

  @Test
  void largeGroupsAreMergedInWithoutPerMemberRowsAcrossTheThreshold() {
    String alice = Api.uniqueUser("alice");
    List<String> others = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      others.add(Api.uniqueUser("m" + i));
    }
    // 5 members > 3: a large group from its creation.
    List<String> members = new ArrayList<>(List.of(alice));
    members.addAll(others);
    String large = writes.group(members.toArray(String[]::new));
    String small1 = writes.group(alice, others.get(0));
    String small2 = writes.group(alice, others.get(1));
    String token = api.clientToken(alice, "phone");
    assertThat(walk(token, 1)).containsExactly(small2, small1, large);
    assertThat(rowsOf(alice)).hasSize(2);

    Instant sent = sentAt(writes.send(large, others.get(2), "l1", "to many"));
    assertThat(walk(token, 1)).containsExactly(large, small2, small1);
    assertThat(walk(token, 2)).containsExactly(large, small2, small1);
    // The send wrote no row for any member: alice's rows are still the two small ones.
    assertThat(rowsOf(alice)).hasSize(2);
    assertThat(rowsOf(others.get(3))).isEmpty();

    writes.send(small1, alice, "s1", "hi");
    assertThat(walk(token, 2)).containsExactly(small1, large, small2);

    // Shrinks to 3: listed per member again; the change is an event of its own, so the group is
    // the most recent.
    assertThat(changeMembers(large, alice, List.of(), others.subList(2, 4)).status())
        .isEqualTo(200);
    assertThat(walk(token, 1)).containsExactly(large, small1, small2);
    assertThat(rowsOf(alice)).hasSize(3);
    assertThat(walk(api.clientToken(others.get(3), "phone"), 5)).isEmpty();
    writes.send(large, others.get(0), "l2", "fewer now");
    assertThat(walk(token, 1)).containsExactly(large, small1, small2);
    assertThat(walk(api.clientToken(others.get(1), "phone"), 1)).containsExactly(large, small2);

    // Grows past 3 again: large, merged in; a newcomer sees it, the removed do not.
    String newcomer = Api.uniqueUser("newcomer");
    assertThat(changeMembers(large, alice, List.of(newcomer, others.get(3)), List.of()).status())
        .isEqualTo(200);
    writes.send(small2, alice, "s2", "hi");
    writes.send(large, newcomer, "l3", "hello all");
    assertThat(walk(token, 2)).containsExactly(large, small2, small1);
    assertThat(walk(api.clientToken(newcomer, "phone"), 1)).containsExactly(large);
    assertThat(walk(api.clientToken(others.get(2), "phone"), 1)).isEmpty();
    assertThat(sent).isNotNull();
  }

  @Test
  void conversationsFromBeforeTheIndexAreListedAfterALazyBackfill() {
    String alice = Api.uniqueUser("alice");
    String bob = Api.uniqueUser("bob");
    String first = writes.group(alice, bob);
    String second = writes.group(alice, bob);
    writes.send(first, bob, "m1", "newer");
    // As if written before V005: no index a list could reach (the rows' buckets unknown), no
    // backfill mark, no position on the conversation row.
    for (String user : List.of(alice, bob)) {
      session.execute(
          "DELETE FROM " + keyspace.table("user_activity_buckets") + " WHERE user_id = ?", user);
      session.execute(
          "DELETE FROM " + keyspace.table("user_activity_backfill") + " WHERE user_id = ?", user);
    }
    session.execute(
        "DELETE last_event_seq, last_event_at FROM "
            + keyspace.table("conversations")
            + " WHERE conversation_id = ?",
        first);
    assertThat(rowsOf(alice)).isEmpty();

    assertThat(walk(api.clientToken(alice, "phone"), 1)).containsExactly(first, second);
    assertThat(rowsOf(alice)).hasSize(2);
    writes.send(second, bob, "m2", "newest");
    assertThat(walk(api.clientToken(alice, "phone"), 1)).containsExactly(second, first);
    assertThat(walk(api.clientToken(bob, "phone"), 5)).containsExactly(second, first);
  }

  @Test
  void badLimitsAndCursorsAre400s() {
    String alice = Api.uniqueUser("alice");
    writes.group(alice, Api.uniqueUser("bob"));
    String token = api.clientToken(alice, "phone");
    for (String query :
        List.of("?limit=0", "?limit=201", "?limit=400", "?limit=x", "?limit=-1", "?limit=1.5")) {
      Api.Answer answer = api.get("/v1/conversations" + query, token);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.body().get("type").asString()).as(query).endsWith(":validation");
    }
    String valid =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString("1700000000000:c_x".getBytes());
    assertThat(api.get("/v1/conversations?cursor=" + valid, token).status()).isEqualTo(200);
    for (String cursor :
        List.of(
            "x",
            "%%%",
            "bm90LWEtY3Vyc29y",
            java.util.Base64.getUrlEncoder().encodeToString("12:a b".getBytes()),
            java.util.Base64.getUrlEncoder().encodeToString(":c_x".getBytes()),
            java.util.Base64.getUrlEncoder().encodeToString("99999999999999999999:c".getBytes()),
            "a".repeat(300))) {
      Api.Answer answer = api.get("/v1/conversations?cursor=" + cursor, token);
      assertThat(answer.status()).as(cursor).isEqualTo(400);
      assertThat(answer.body().get("type").asString()).as(cursor).endsWith(":malformed-cursor");
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Walks the whole list through the Link headers; asserts each page's size and the end. */
  List<String> walk(String token, int limit) {
    List<String> all = new ArrayList<>();
    String url = "/v1/conversations?limit=" + limit;
    for (int pages = 0; url != null; pages++) {
      assertThat(pages).as("pages").isLessThan(1000);
      Api.Answer answer = api.get(url, token);
      assertThat(answer.status()).as(url).isEqualTo(200);
      List<String> page = ids(answer.body());
      assertThat(page.size()).isLessThanOrEqualTo(limit);
      all.addAll(page);
      String link = answer.headers().getFirst("Link");
      if (link == null) {
        url = null;
      } else {
        Matcher m = NEXT.matcher(link);
        assertThat(m.find()).as(link).isTrue();
        url = m.group(1).replaceFirst("^https?://[^/]+", "");
      }
    }
    assertThat(all).doesNotHaveDuplicates();
    return all;
  }

  static List<String> ids(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.forEach(c -> out.add(c.get("conversationId").asString()));
    return out;
  }

  static List<String> expectedOrder(Map<String, Instant> activity) {
    return activity.entrySet().stream()
        .map(e -> new Activity(e.getKey(), e.getValue()))
        .sorted(NEWEST_FIRST)
        .map(Activity::cid)
        .toList();
  }

  Api.Answer create(String creator, String other) {
    Api.Answer created =
        api.post(
            "/internal/v1/conversations",
            api.serviceToken(),
            Map.of("type", "group", "members", List.of(creator, other), "createdBy", creator));
    assertThat(created.status()).isEqualTo(201);
    return created;
  }

  static Instant sentAt(Api.Answer sent) {
    assertThat(sent.status()).isEqualTo(201);
    return Instant.parse(sent.body().get("message").get("sentAt").asString());
  }

  Api.Answer changeMembers(String cid, String actor, List<String> add, List<String> remove) {
    return api.post(
        "/internal/v1/conversations/" + cid + "/members",
        api.serviceToken(),
        Map.of("actorId", actor, "add", add, "remove", remove));
  }

  /** The user's live rows in user_activity. */
  List<String> rowsOf(String user) {
    return ActivityRows.of(session, keyspace, user).stream()
        .map(ActivityRows.Row::conversationId)
        .toList();
  }
}
