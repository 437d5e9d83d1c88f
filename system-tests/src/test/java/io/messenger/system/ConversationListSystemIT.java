package io.messenger.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conversation list end to end: a user in 300 conversations (created and written through the
 * sync-service) pages the whole list through the history-service's {@code Link} headers, across
 * both instances, each conversation exactly once, in activity order.
 */
@ExtendWith(SystemUnderTest.class)
class ConversationListSystemIT {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");

  static String user(String name) {
    return name + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aUserIn300ConversationsPagesTheWholeListOnceInActivityOrder() {
    Client alice = new Client(user("alice"), "phone");
    Map<String, Instant> activity = new HashMap<>();
    List<String> cids = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String type = i % 3 == 0 ? "group" : "direct";
      Client.Answer created =
          alice.post(
              SystemUnderTest.sync1(),
              "/v1/conversations",
              Map.of("type", type, "members", List.of(user("peer" + i))));
      assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
      String cid = created.get("conversationId").asString();
      cids.add(cid);
      activity.put(cid, Instant.parse(created.get("createdAt").asString()));
    }
    // 120 of them get news, in an order unlike their creation, some twice.
    List<String> shuffled = new ArrayList<>(cids);
    Collections.shuffle(shuffled, new Random(14));
    for (int i = 0; i < 120; i++) {
      String cid = shuffled.get(i % 90);
      ServiceProcess via = i % 2 == 0 ? SystemUnderTest.sync1() : SystemUnderTest.sync2();
      Client.Answer sent =
          alice.post(
              via,
              "/v1/conversations/" + cid + "/messages",
              Map.of("clientMsgId", "m" + i, "text", "news " + i));
      assertThat(sent.status()).as(String.valueOf(sent.body())).isEqualTo(201);
      activity.put(cid, Instant.parse(sent.get("sentAt").asString()));
    }
    List<String> expected =
        activity.entrySet().stream()
            .sorted(
                Comparator.comparing((Map.Entry<String, Instant> e) -> e.getValue())
                    .thenComparing(Map.Entry::getKey)
                    .reversed())
            .map(Map.Entry::getKey)
            .toList();

    for (int limit : List.of(37, 200)) {
      List<String> walked = new ArrayList<>();
      String path = "/v1/conversations?limit=" + limit;
      int pages = 0;
      while (path != null) {
        ServiceProcess via =
            pages % 2 == 0 ? SystemUnderTest.history1() : SystemUnderTest.history2();
        Client.Linked page = alice.getLinked(via, path);
        assertThat(page.status()).as(String.valueOf(page.body())).isEqualTo(200);
        assertThat(page.body().size()).isLessThanOrEqualTo(limit);
        page.body().forEach(c -> walked.add(c.get("conversationId").asString()));
        if (page.link() == null) {
          path = null;
        } else {
          Matcher m = NEXT.matcher(page.link());
          assertThat(m.find()).as(page.link()).isTrue();
          URI next = URI.create(m.group(1));
          path = next.getRawPath() + "?" + next.getRawQuery();
        }
        pages++;
      }
      assertThat(walked).as("limit " + limit).doesNotHaveDuplicates();
      assertThat(walked).as("limit " + limit).containsExactlyElementsOf(expected);
      assertThat(pages).isEqualTo((300 + limit - 1) / limit);
    }
    // Without limit: the first 50, and a Link to the rest.
    Client.Linked first = alice.getLinked(SystemUnderTest.history1(), "/v1/conversations");
    assertThat(first.body().size()).isEqualTo(50);
    assertThat(first.link()).contains("rel=\"next\"");
  }
}
