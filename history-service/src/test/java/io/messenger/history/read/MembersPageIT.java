package io.messenger.history.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Members in the conversation views and paged: a view carries {@code memberCount} and at most the
 * first 100 members by id; {@code GET /v1/conversations/{cid}/members} pages them all, each once.
 */
@HistoryIT
class MembersPageIT {

  @LocalServerPort int port;
  @Autowired io.messenger.support.security.Tokens tokens;

  Api api;
  Writes writes;

  @BeforeEach
  void setUp() {
    api = new Api(port, tokens);
    writes = new Writes(api);
  }

  @Test
  void aGroupOf250IsCountedAndPagedInIdOrder() {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      members.add(Api.uniqueUser("m" + i));
    }
    String owner = members.get(0);
    String cid = writes.group(members.toArray(String[]::new));
    String token = api.clientToken(owner, "phone");

    JsonNode view = api.get("/v1/conversations/" + cid, token).body();
    assertThat(view.get("memberCount").asInt()).isEqualTo(250);
    List<String> sorted = new ArrayList<>(new TreeSet<>(members));
    assertThat(view.get("members").size()).isEqualTo(100);
    assertThat(view.get("members").get(0).asString()).isEqualTo(sorted.get(0));
    assertThat(view.get("members").get(99).asString()).isEqualTo(sorted.get(99));
    JsonNode listed = listed(token, cid);
    assertThat(listed.get("memberCount").asInt()).isEqualTo(250);
    assertThat(listed.get("members").size()).isEqualTo(100);

    List<String> paged = new ArrayList<>();
    String after = null;
    boolean more = true;
    while (more) {
      JsonNode page =
          api.get(
                  "/v1/conversations/"
                      + cid
                      + "/members?limit=70"
                      + (after == null ? "" : "&after=" + after),
                  token)
              .body();
      page.get("members").forEach(m -> paged.add(m.asString()));
      more = page.get("hasMore").asBoolean();
      after = paged.get(paged.size() - 1);
    }
    assertThat(paged).containsExactlyElementsOf(sorted);

    // The count follows member changes, without reading the list.
    String newcomer = Api.uniqueUser("newcomer");
    Api.Answer changed =
        api.post(
            "/internal/v1/conversations/" + cid + "/members",
            api.serviceToken(),
            Map.of("actorId", owner, "add", List.of(newcomer), "remove", List.of(members.get(1))));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(api.get("/v1/conversations/" + cid, token).body().get("memberCount").asInt())
        .isEqualTo(250);
    api.post(
        "/internal/v1/conversations/" + cid + "/members",
        api.serviceToken(),
        Map.of("actorId", owner, "add", List.of(Api.uniqueUser("another")), "remove", List.of()));
    assertThat(listed(token, cid).get("memberCount").asInt()).isEqualTo(251);
  }

  @Test
  void membersAreForMembersOnlyAndBadInputIsRefused() {
    String alice = Api.uniqueUser("alice");
    String bob = Api.uniqueUser("bob");
    String cid = writes.group(alice, bob);
    String token = api.clientToken(alice, "phone");
    assertThat(
            api.get("/v1/conversations/" + cid + "/members", api.clientToken("mallory", "x"))
                .status())
        .isEqualTo(404);
    for (String query : List.of("?limit=0", "?limit=1001", "?limit=x", "?after=a%20b")) {
      Api.Answer answer = api.get("/v1/conversations/" + cid + "/members" + query, token);
      assertThat(answer.status()).as(query).isEqualTo(400);
    }
    JsonNode all = api.get("/v1/conversations/" + cid + "/members", token).body();
    assertThat(all.get("members").size()).isEqualTo(2);
    assertThat(all.get("hasMore").asBoolean()).isFalse();
  }

  private JsonNode listed(String token, String cid) {
    for (JsonNode c : api.get("/v1/conversations", token).body()) {
      if (c.get("conversationId").asString().equals(cid)) {
        return c;
      }
    }
    throw new AssertionError("not listed: " + cid);
  }
}
