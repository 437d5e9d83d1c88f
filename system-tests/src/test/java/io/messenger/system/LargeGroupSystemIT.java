package io.messenger.system;

import static io.messenger.system.SystemUnderTest.history1;
import static io.messenger.system.SystemUnderTest.sync1;
import static io.messenger.system.SystemUnderTest.sync2;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * Large groups by read diffusion, end to end (threshold {@code messenger.fanout.max-inbox-members}
 * = 500): no inbox gets a large group's messages or edits; every member's device learns of them
 * through {@code largeGroups} in its pull (a parked long-poll wakes on them), reads them through
 * the conversation events, and acknowledges per group. A group crossing the threshold both ways
 * loses and repeats nothing.
 */
@ExtendWith(SystemUnderTest.class)
class LargeGroupSystemIT {

  private static final ExecutorService POOL = Executors.newFixedThreadPool(8);

  @Test
  void everyMemberOfAGroupOfTwoThousandCatchesUpThroughLargeGroupsAndEvents() throws Exception {
    List<Client> members = MessengerSystemIT.clients("big", 2000);
    Client owner = members.get(0);
    // Created with 1,000 (a large group from its creation), grown to 2,000 in one change: a request
    // body holds at most 64 KiB, about 3,000 ids.
    String cid = MessengerSystemIT.group(members.subList(0, 1000));
    assertThat(
            changeMembers(
                owner,
                cid,
                Map.of("add", members.subList(1000, 2000).stream().map(c -> c.user).toList())))
        .isEqualTo(2000);
    forAll(members, MessengerSystemIT::register);

    Map<Long, String> texts = new TreeMap<>();
    for (int i = 1; i <= 4; i++) {
      Client.Answer sent =
          MessengerSystemIT.send(owner, i % 2 == 0 ? sync2() : sync1(), cid, "big-" + i, "m" + i);
      assertThat(sent.status()).as(String.valueOf(sent.body())).isEqualTo(201);
      texts.put(sent.get("seq").asLong(), "m" + i);
    }
    // Seq 1 is the change that grew the group: members' changes are events of the log.
    assertThat(texts.keySet()).containsExactly(2L, 3L, 4L, 5L);
    Client.Answer edit =
        MessengerSystemIT.operate(
            owner, sync1(), cid, "big-edit", Map.of("type", "edit", "targetSeq", 2, "text", "m1!"));
    assertThat(edit.status()).isEqualTo(201);
    long last = edit.get("seq").asLong();

    // Nothing of it in an inbox; a founding member's inbox has the creation notice with the first
    // 100 members and the count.
    JsonNode inbox = MessengerSystemIT.pull(members.get(999), sync1(), "0-0");
    assertThat(MessengerSystemIT.entries(inbox, "message")).isEmpty();
    assertThat(MessengerSystemIT.entries(inbox, "operation")).isEmpty();
    JsonNode created = MessengerSystemIT.entries(inbox, "system").get(0);
    assertThat(created.at("/notification/members")).hasSize(100);
    assertThat(created.at("/notification/memberCount").asInt()).isEqualTo(1000);

    // Every member's device: the group in largeGroups, its events read, acknowledged, gone.
    forAll(
        members,
        member -> {
          JsonNode news = groupNews(member, cid);
          assertThat(news.get("lastSeq").asLong()).isEqualTo(last);
          long after = news.get("afterSeq").asLong();
          List<JsonNode> events = events(member, cid, after, last);
          // A founding member reads the change that added the others too; who joined with it
          // starts after it.
          assertThat(after).isIn(0L, 1L);
          if (after == 0) {
            assertThat(events.get(0).get("kind").asString()).isEqualTo("system");
            assertThat(events.get(0).at("/notification/type").asString()).isEqualTo("member.added");
            assertThat(events.get(0).at("/notification/count").asInt()).isEqualTo(1000);
            events = events.subList(1, events.size());
          }
          assertThat(events)
              .extracting(e -> e.get("seq").asLong())
              .containsExactly(2L, 3L, 4L, 5L, 6L);
          assertThat(events.get(0).get("text").asString()).isEqualTo("m1");
          assertThat(events.get(4).at("/operation/type").asString()).isEqualTo("edit");
          ack(member, cid, last);
          assertThat(groupNewsOrNull(member, cid)).isNull();
        });

    // A parked long-poll wakes on the group's news.
    Client waiting = members.get(7);
    CompletableFuture<JsonNode> poll =
        CompletableFuture.supplyAsync(
            () -> waiting.get(sync2(), "/v1/sync?waitMs=20000").body(), POOL);
    // Parked or not yet (then it answers at once with the news): the same answer either way.
    assertThat(MessengerSystemIT.send(owner, sync1(), cid, "big-late", "late").status())
        .isEqualTo(201);
    JsonNode woken = poll.get();
    assertThat(woken.get("largeGroups")).hasSize(1);
    assertThat(woken.at("/largeGroups/0/lastSeq").asLong()).isEqualTo(last + 1);
    // Woken while parked, it answers from what it read when it parked (PullService.Waiter):
    // the same afterSeq a re-read gives, the seq this member acknowledged.
    assertThat(woken.at("/largeGroups/0/afterSeq").asLong()).isEqualTo(last);
  }

  @Test
  void aGroupThatGrowsAcrossTheThresholdAndShrinksBackLosesAndRepeatsNothing() {
    List<Client> members = MessengerSystemIT.clients("edge", 502);
    Client owner = members.get(0);
    String cid = MessengerSystemIT.group(members.subList(0, 500)); // 500: write diffusion
    forAll(members, MessengerSystemIT::register);

    assertThat(MessengerSystemIT.send(owner, sync1(), cid, "edge-1", "small").status())
        .isEqualTo(201);
    assertThat(changeMembers(owner, cid, Map.of("add", List.of(members.get(500).user))))
        .isEqualTo(501);
    assertThat(MessengerSystemIT.send(owner, sync2(), cid, "edge-2", "large").status())
        .isEqualTo(201);
    assertThat(
            changeMembers(
                owner,
                cid,
                Map.of(
                    "add",
                    List.of(members.get(501).user),
                    "remove",
                    List.of(members.get(1).user, members.get(2).user))))
        .isEqualTo(500);
    assertThat(MessengerSystemIT.send(owner, sync1(), cid, "edge-3", "small again").status())
        .isEqualTo(201);

    List<Client> stayed = new ArrayList<>(members.subList(3, 502));
    stayed.add(owner);
    forAll(
        stayed,
        member -> {
          List<Long> seen = new ArrayList<>();
          JsonNode pull = MessengerSystemIT.pull(member, sync1(), null);
          MessengerSystemIT.entries(pull, "message").stream()
              .filter(e -> e.get("conversationId").asString().equals(cid))
              .forEach(e -> seen.add(e.get("seq").asLong()));
          JsonNode news = groupNewsOrNull(member, cid);
          if (news != null) {
            events(member, cid, news.get("afterSeq").asLong(), news.get("lastSeq").asLong())
                .stream()
                .filter(e -> e.get("kind").asString().equals("message"))
                .forEach(e -> seen.add(e.get("seq").asLong()));
            ack(member, cid, news.get("lastSeq").asLong());
            assertThat(groupNewsOrNull(member, cid)).isNull();
          }
          assertThat(seen).as(member.user + " saw nothing twice").doesNotHaveDuplicates();
          // Messages at 1, 3 and 5; the member changes are events 2 and 4.
          if (member == members.get(500)) {
            // Joined as it grew, after seq 2 (message 1 the relay may still hand to the new
            // member when its sweep reads the member list after the join).
            assertThat(seen).contains(3L, 5L).isSubsetOf(1L, 3L, 5L);
          } else if (member == members.get(501)) {
            assertThat(seen).contains(5L).isSubsetOf(1L, 3L, 5L); // joined as it shrank
          } else {
            assertThat(seen).as(member.user).containsExactlyInAnyOrder(1L, 3L, 5L);
          }
        });
  }

  private static int changeMembers(Client actor, String cid, Map<String, Object> body) {
    Client.Answer answer = actor.post(sync1(), "/v1/conversations/" + cid + "/members", body);
    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(200);
    return answer.get("memberCount").asInt();
  }

  private static JsonNode groupNews(Client member, String cid) {
    JsonNode news = groupNewsOrNull(member, cid);
    assertThat(news).as(member.user + " has news in " + cid).isNotNull();
    return news;
  }

  private static JsonNode groupNewsOrNull(Client member, String cid) {
    JsonNode pull = member.get(sync2(), "/v1/sync?limit=1").body();
    for (JsonNode group : pull.get("largeGroups")) {
      if (group.get("conversationId").asString().equals(cid)) {
        return group;
      }
    }
    return null;
  }

  /** The conversation's events after {@code after} up to {@code last}, page by page. */
  private static List<JsonNode> events(Client member, String cid, long after, long last) {
    List<JsonNode> out = new ArrayList<>();
    long from = after;
    while (from < last) {
      Client.Answer page =
          member.get(history1(), "/v1/conversations/" + cid + "/events?limit=2&after=" + from);
      assertThat(page.status()).as(String.valueOf(page.body())).isEqualTo(200);
      for (JsonNode event : page.get("events")) {
        if (event.get("seq").asLong() <= last) {
          out.add(event);
        }
      }
      if (!page.get("hasMore").asBoolean()) {
        break;
      }
      from = page.get("nextAfter").asLong();
    }
    return out;
  }

  private static void ack(Client member, String cid, long seq) {
    Client.Answer answer =
        member.post(sync1(), "/v1/sync/ack", Map.of("largeGroups", Map.of(cid, seq)));
    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(204);
  }

  private static void forAll(List<Client> clients, Consumer<Client> check) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (Client client : clients) {
      all.add(CompletableFuture.runAsync(() -> check.accept(client), POOL));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
  }
}
