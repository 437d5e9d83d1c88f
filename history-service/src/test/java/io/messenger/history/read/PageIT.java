package io.messenger.history.read;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import io.messenger.history.write.Projections;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import io.messenger.support.security.Tokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

@HistoryIT
class PageIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired PageService pages;
  @Autowired CqlSession session;
  @Autowired Keyspace keyspace;

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

  String group(String... members) {
    return writes.group(members);
  }

  long send(String cid, String sender, String text) {
    return writes.send(cid, sender, "m-" + text, text).body().at("/message/seq").asLong();
  }

  long operate(String cid, String actor, String clientOpId, Map<String, Object> fields) {
    Api.Answer answer = writes.operate(cid, actor, clientOpId, fields);
    assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
    return answer.body().at("/event/seq").asLong();
  }

  JsonNode page(String cid, String user, String query) {
    Api.Answer answer =
        api.get("/v1/conversations/" + cid + "/messages" + query, api.clientToken(user, "laptop"));
    assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
    return answer.body();
  }

  static List<Long> reversed(List<Long> list) {
    List<Long> out = new ArrayList<>(list);
    java.util.Collections.reverse(out);
    return out;
  }

  static List<Long> seqs(JsonNode page) {
    List<Long> out = new ArrayList<>();
    page.get("messages").forEach(m -> out.add(m.get("seq").asLong()));
    return out;
  }

  @Test
  void aFullScrollBackwardsAndForwardsReturnsEverySeqOnce() {
    String cid = group(alice, bob);
    List<Long> messageSeqs = new ArrayList<>();
    for (int i = 0; i < 1150; i++) {
      messageSeqs.add(send(cid, i % 2 == 0 ? alice : bob, "t" + i));
      if (i % 7 == 0) {
        operate(cid, bob, "r" + i, Map.of("type", "read", "upToSeq", messageSeqs.get(i)));
      }
    }
    List<Long> backwards = new ArrayList<>();
    JsonNode page = page(cid, alice, "?limit=100");
    assertThat(page.get("hasMoreAfter").asBoolean()).isFalse();
    while (true) {
      backwards.addAll(seqs(page));
      if (!page.get("hasMoreBefore").asBoolean()) {
        break;
      }
      page = page(cid, alice, "?limit=100&before=" + backwards.get(backwards.size() - 1));
    }
    assertThat(backwards).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(reversed(backwards)).isEqualTo(messageSeqs);

    List<Long> forwards = new ArrayList<>();
    page = page(cid, alice, "?limit=100&after=0");
    assertThat(page.get("hasMoreBefore").asBoolean()).isFalse();
    while (true) {
      forwards.addAll(reversed(seqs(page)));
      if (!page.get("hasMoreAfter").asBoolean()) {
        break;
      }
      page = page(cid, alice, "?limit=100&after=" + forwards.get(forwards.size() - 1));
    }
    assertThat(forwards).isEqualTo(messageSeqs);

    long middle = messageSeqs.get(998);
    JsonNode around = page(cid, alice, "?limit=11&around=" + middle);
    List<Long> aroundSeqs = seqs(around);
    assertThat(aroundSeqs).hasSize(11).contains(middle);
    int at = aroundSeqs.indexOf(middle);
    assertThat(at).isBetween(4, 6);
    assertThat(around.get("hasMoreBefore").asBoolean()).isTrue();
    assertThat(around.get("hasMoreAfter").asBoolean()).isTrue();
  }

  @Autowired io.messenger.history.write.EventLog log;
  @Autowired Projections projections;

  @Test
  void aMessageWhoseProjectionFailedDoesNotHideItsBucket() {
    String cid = group(alice, bob);
    ConversationId id = ConversationId.of(cid);
    // Logged, but its projection "failed": nothing in the page tables.
    io.messenger.history.write.LoggedEvent lost =
        log.append(
            id,
            io.messenger.history.write.LoggedEvent.Draft.message(
                UserId.of(alice), "lost", Instant.now(), "lost"),
            io.messenger.history.write.EventLog.Head.EMPTY);
    assertThat(lost.seq()).isEqualTo(1);
    long second = send(cid, bob, "second");
    assertThat(seqs(page(cid, alice, ""))).containsExactly(second);
    projections.apply(lost);
    assertThat(seqs(page(cid, alice, ""))).containsExactly(second, 1L);
  }

  @Test
  void operationsAreAppliedAndDeleteForMeIsPerUser() {
    String cid = group(alice, bob);
    long s1 = send(cid, alice, "first");
    long s2 = send(cid, alice, "second");
    long s3 = send(cid, bob, "third");
    operate(cid, alice, "e1", Map.of("type", "edit", "targetSeq", s1, "text", "first, edited"));
    operate(cid, alice, "rc", Map.of("type", "recall", "targetSeq", s2));
    operate(cid, bob, "d3", Map.of("type", "delete_for_me", "targetSeq", s3));

    JsonNode forBob = page(cid, bob, "");
    assertThat(seqs(forBob)).containsExactly(s2, s1);
    JsonNode recalled = forBob.get("messages").get(0);
    assertThat(recalled.get("recalled").asBoolean()).isTrue();
    assertThat(recalled.get("text").isNull()).isTrue();
    assertThat(recalled.get("sentAt").isNull()).isFalse();
    JsonNode edited = forBob.get("messages").get(1);
    assertThat(edited.get("text").asString()).isEqualTo("first, edited");
    assertThat(edited.has("editedAt")).isTrue();

    assertThat(seqs(page(cid, alice, ""))).containsExactly(s3, s2, s1);
  }

  @Test
  void unreadCountsFollowReadMarkersFromAnyDevice() {
    String cid = group(alice, bob);
    long s1 = send(cid, bob, "one");
    send(cid, bob, "two");
    long s3 = send(cid, bob, "three");
    long mine = send(cid, alice, "mine");
    JsonNode view = conversation(cid, alice);
    assertThat(view.get("unread").asLong()).isEqualTo(3);
    assertThat(view.get("lastSeq").asLong()).isEqualTo(mine);
    assertThat(view.get("readSeq").asLong()).isZero();

    operate(cid, alice, "read1", Map.of("type", "read", "upToSeq", s1));
    assertThat(conversation(cid, alice).get("unread").asLong()).isEqualTo(2);
    operate(cid, bob, "rc3", Map.of("type", "recall", "targetSeq", s3));
    assertThat(conversation(cid, alice).get("unread").asLong()).isEqualTo(1);
    // An older marker from another device does not move it back.
    operate(cid, alice, "read0", Map.of("type", "read", "upToSeq", 1));
    assertThat(conversation(cid, alice).get("readSeq").asLong()).isEqualTo(s1);

    JsonNode list = api.get("/v1/conversations", api.clientToken(alice, "phone")).body();
    JsonNode entry = null;
    for (JsonNode c : list) {
      if (c.get("conversationId").asString().equals(cid)) {
        entry = c;
      }
    }
    assertThat(entry).isNotNull();
    assertThat(entry.get("unread").asLong()).isEqualTo(1);
  }

  JsonNode conversation(String cid, String user) {
    Api.Answer answer = api.get("/v1/conversations/" + cid, api.clientToken(user, "phone"));
    assertThat(answer.status()).isEqualTo(200);
    return answer.body();
  }

  @Test
  void nonMembersSeeNothingAndBadInputIsRefused() {
    String cid = group(alice, bob);
    send(cid, alice, "hello");
    String mallory = api.clientToken(Api.uniqueUser("mallory"), "pc");
    for (String path :
        List.of("/v1/conversations/" + cid, "/v1/conversations/" + cid + "/messages")) {
      Api.Answer answer = api.get(path, mallory);
      assertThat(answer.status()).isEqualTo(404);
      assertThat(answer.body().get("type").asString()).endsWith(":conversation-not-found");
      assertThat(api.get(path, null).status()).isEqualTo(401);
    }
    assertThat(api.get("/v1/conversations", mallory).body().size()).isZero();
    String token = api.clientToken(alice, "pc");
    for (String query :
        List.of(
            "?before=1&after=2",
            "?before=abc",
            "?after=-1",
            "?around=1.5",
            "?limit=0",
            "?limit=101",
            "?limit=x")) {
      Api.Answer answer = api.get("/v1/conversations/" + cid + "/messages" + query, token);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.body().get("type").asString()).endsWith(":validation");
    }
    assertThat(api.get("/v1/conversations/c_nope/messages", token).status()).isEqualTo(404);
  }

  @Test
  void aPageReadsTheSamePartitionsAtAnyDepthOf100000Messages() {
    String cid = group(alice, bob);
    ConversationId id = ConversationId.of(cid);
    int total = 100_000;
    load(id, total);
    int newest =
        pages.page(id, UserId.of(alice), PageService.Anchor.NEWEST, 0, 50).partitionsRead();
    PageService.Page middle =
        pages.page(id, UserId.of(alice), PageService.Anchor.BEFORE, total / 2 + 500, 50);
    PageService.Page oldest = pages.page(id, UserId.of(alice), PageService.Anchor.AFTER, 0, 50);
    PageService.Page straddling =
        pages.page(id, UserId.of(alice), PageService.Anchor.BEFORE, 50_020, 50);
    assertThat(newest).isEqualTo(1);
    assertThat(middle.partitionsRead()).isEqualTo(1);
    assertThat(oldest.partitionsRead()).isEqualTo(1);
    assertThat(straddling.partitionsRead()).isEqualTo(2);
    assertThat(
            pages
                .page(id, UserId.of(alice), PageService.Anchor.BEFORE, 99_020, 50)
                .partitionsRead())
        .isEqualTo(2);
    assertThat(straddling.messages()).hasSize(50);
    assertThat(middle.messages().get(0).seq()).isEqualTo(total / 2 + 499);
    assertThat(oldest.messages().get(49).seq()).isEqualTo(1);
    assertThat(oldest.hasMoreBefore()).isFalse();

    // Rough figures for the record (printed, not asserted: this machine is shared and noisy).
    String token = api.clientToken(alice, "laptop");
    for (String query : List.of("", "?before=" + (total - 99_950), "?around=50000")) {
      long[] micros = new long[200];
      for (int i = 0; i < micros.length; i++) {
        long t0 = System.nanoTime();
        assertThat(api.get("/v1/conversations/" + cid + "/messages" + query, token).status())
            .isEqualTo(200);
        micros[i] = (System.nanoTime() - t0) / 1000;
      }
      java.util.Arrays.sort(micros);
      System.out.printf(
          "page of 50 at '%s' in %d messages: p50 %d us, p99 %d us%n",
          query, total, micros[100], micros[197]);
    }
  }

  /**
   * Pages of a caller who hid many messages (more than {@link PageService#HIDDEN_PREFETCH} near
   * some anchors, a run across a bucket boundary), with dense seqs (straddling pages read both
   * partitions together) and with gaps between message seqs (as operations leave): every page
   * equals the one computed from the visible seqs, at every anchor and limit.
   */
  @Test
  void pagesSkipHiddenMessagesWhereverTheyAre() {
    for (int stride : new int[] {1, 3}) {
      String cid = group(alice, bob);
      ConversationId id = ConversationId.of(cid);
      int total = 2500;
      List<Long> all = new ArrayList<>();
      for (long msgNo = 0; msgNo < total; msgNo++) {
        all.add(stride * msgNo + 1);
      }
      load(id, total, stride);
      java.util.TreeSet<Long> hidden = new java.util.TreeSet<>();
      for (long s : all) {
        long msgNo = (s - 1) / stride;
        if ((msgNo >= 900 && msgNo <= 1150) || msgNo % 7 == 3 || msgNo >= 2480) {
          hidden.add(s);
        }
      }
      PreparedStatement hide =
          session.prepare(
              "INSERT INTO "
                  + keyspace.name()
                  + ".hidden_messages (conversation_id, user_id, seq, hidden_at)"
                  + " VALUES (?, ?, ?, ?)");
      List<CompletionStage<?>> inflight = new ArrayList<>();
      for (long s : hidden) {
        inflight.add(session.executeAsync(hide.bind(cid, alice, s, Instant.now())));
      }
      inflight.forEach(f -> f.toCompletableFuture().join());
      List<Long> visible = all.stream().filter(s -> !hidden.contains(s)).toList();
      long lastSeq = all.get(all.size() - 1);
      List<Long> anchors = new ArrayList<>();
      for (long msgNo :
          new long[] {0, 1, 49, 98, 500, 850, 899, 950, 999, 1000, 1001, 1040, 1100, 1151, 1200}) {
        anchors.add(stride * msgNo + 1);
      }
      for (long msgNo : new long[] {1990, 1999, 2000, 2001, 2030, 2400, 2470, 2499}) {
        anchors.add(stride * msgNo + 1);
      }
      anchors.addAll(List.of(0L, 2L, lastSeq + 1, lastSeq + 100));
      for (int limit : new int[] {1, 2, 50, 100}) {
        assertPage(id, PageService.Anchor.NEWEST, 0, limit, older(visible, Long.MAX_VALUE, limit));
        for (long a : anchors) {
          assertPage(id, PageService.Anchor.BEFORE, a, limit, older(visible, a, limit));
          assertPage(id, PageService.Anchor.AFTER, a, limit, newer(visible, a, limit));
          int older = (limit + 1) / 2;
          List<Long> around = new ArrayList<>(newer(visible, a, limit - older));
          around.addAll(older(visible, a + 1, older));
          assertPage(id, PageService.Anchor.AROUND, a, limit, around);
        }
      }
    }
  }

  private void assertPage(
      ConversationId id, PageService.Anchor anchor, long seq, int limit, List<Long> expected) {
    PageService.Page page = pages.page(id, UserId.of(alice), anchor, seq, limit);
    assertThat(page.messages().stream().map(PageMessage::seq).toList())
        .as("%s %d limit %d", anchor, seq, limit)
        .isEqualTo(expected);
    assertThat(page.partitionsRead())
        .as("%s %d limit %d", anchor, seq, limit)
        .isLessThanOrEqualTo(4);
  }

  /** The {@code limit} greatest of {@code seqs} (ascending) below {@code seq}, newest first. */
  private static List<Long> older(List<Long> seqs, long seq, int limit) {
    List<Long> out = new ArrayList<>();
    for (int i = seqs.size() - 1; i >= 0 && out.size() < limit; i--) {
      if (seqs.get(i) < seq) {
        out.add(seqs.get(i));
      }
    }
    return out;
  }

  /** The {@code limit} smallest of {@code seqs} (ascending) above {@code seq}, newest first. */
  private static List<Long> newer(List<Long> seqs, long seq, int limit) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < seqs.size() && out.size() < limit; i++) {
      if (seqs.get(i) > seq) {
        out.add(seqs.get(i));
      }
    }
    return reversed(out);
  }

  /** Writes {@code total} messages (seq = 1..total) straight into the page tables. */
  void load(ConversationId id, int total) {
    load(id, total, 1);
  }

  /** Writes {@code total} messages with seq = stride × msgNo + 1 straight into the page tables. */
  void load(ConversationId id, int total, int stride) {
    String ks = keyspace.name();
    PreparedStatement insert =
        session.prepare(
            "INSERT INTO "
                + ks
                + ".messages (conversation_id, bucket, seq, msg_no, sender_id, sent_at,"
                + " client_msg_id, text, recalled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, false)");
    PreparedStatement bucketRow =
        session.prepare(
            "INSERT INTO "
                + ks
                + ".message_buckets (conversation_id, bucket, first_seq) VALUES (?, ?, ?)");
    Instant now = Instant.now();
    List<CompletionStage<?>> inflight = new ArrayList<>();
    for (long start = 0; start < total; start += 100) {
      BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
      for (long msgNo = start; msgNo < Math.min(total, start + 100); msgNo++) {
        long bucket = Projections.bucketOfMessage(msgNo);
        batch.addStatement(
            insert.bind(
                id.value(),
                bucket,
                stride * msgNo + 1,
                msgNo,
                bob,
                now,
                "b" + msgNo,
                "bulk " + msgNo));
        if (msgNo % Projections.MESSAGES_PER_BUCKET == 0) {
          session.execute(bucketRow.bind(id.value(), bucket, stride * msgNo + 1));
        }
      }
      inflight.add(session.executeAsync(batch.build()));
      if (inflight.size() >= 32) {
        inflight.forEach(f -> f.toCompletableFuture().join());
        inflight.clear();
      }
    }
    inflight.forEach(f -> f.toCompletableFuture().join());
    long lastSeq = stride * (total - 1L) + 1;
    session.execute(
        "UPDATE "
            + ks
            + ".conversations USING TIMESTAMP "
            + lastSeq
            + " SET last_message_seq = "
            + lastSeq
            + ", last_seq = "
            + lastSeq
            + ", msg_count = "
            + total
            + " WHERE conversation_id = '"
            + id.value()
            + "'");
  }
}
