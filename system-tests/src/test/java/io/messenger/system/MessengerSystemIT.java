package io.messenger.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The product's guarantees end to end: real processes (two instances of each service), real Redis,
 * real Cassandra, HTTP only.
 */
@ExtendWith(SystemUnderTest.class)
class MessengerSystemIT {

  /** The parked long-polls of a sync-service instance, as Prometheus names the gauge. */
  private static final String PARKED = "messenger_sync_longpoll_parked";

  static ServiceProcess sync1() {
    return SystemUnderTest.sync1();
  }

  static ServiceProcess sync2() {
    return SystemUnderTest.sync2();
  }

  static String user(String name) {
    return name + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  static String conversation(Client creator, String type, String... others) {
    Client.Answer answer =
        creator.post(
            sync1(), "/v1/conversations", Map.of("type", type, "members", List.of(others)));
    assertThat(answer.status()).as(String.valueOf(answer.body())).isIn(200, 201);
    return answer.get("conversationId").asString();
  }

  /** {@code count} new users' phones, named after {@code prefix}. */
  static List<Client> clients(String prefix, int count) {
    List<Client> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new Client(user(prefix + i), "phone"));
    }
    return out;
  }

  /** A group of {@code members}, created by the first. */
  static String group(List<Client> members) {
    String[] others =
        members.subList(1, members.size()).stream().map(c -> c.user).toArray(String[]::new);
    return conversation(members.get(0), "group", others);
  }

  static Client.Answer send(
      Client sender, ServiceProcess via, String cid, String clientMsgId, String text) {
    return sender.post(
        via,
        "/v1/conversations/" + cid + "/messages",
        Map.of("clientMsgId", clientMsgId, "text", text));
  }

  static Client.Answer operate(
      Client actor, ServiceProcess via, String cid, String clientOpId, Map<String, Object> op) {
    Map<String, Object> body = new HashMap<>(op);
    body.put("clientOpId", clientOpId);
    return actor.post(via, "/v1/conversations/" + cid + "/operations", body);
  }

  static JsonNode pull(Client device, ServiceProcess via, String cursor) {
    Client.Answer answer =
        device.get(via, "/v1/sync?limit=500" + (cursor == null ? "" : "&cursor=" + cursor));
    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(200);
    return answer.body();
  }

  /** A first pull: the device is new and learns the head. */
  static String register(Client device) {
    JsonNode first = pull(device, sync1(), null);
    assertThat(first.at("/resync/reason").asString()).isEqualTo("new_device");
    return first.at("/resync/headCursor").asString();
  }

  static List<JsonNode> entries(JsonNode pull, String kind) {
    List<JsonNode> out = new ArrayList<>();
    pull.get("entries")
        .forEach(
            e -> {
              if (e.get("kind").asString().equals(kind)) {
                out.add(e);
              }
            });
    return out;
  }

  static List<Long> pageSeqs(Client reader, ServiceProcess history, String cid) {
    Client.Answer page = reader.get(history, "/v1/conversations/" + cid + "/messages?limit=100");
    assertThat(page.status()).isEqualTo(200);
    List<Long> seqs = new ArrayList<>();
    page.get("messages").forEach(m -> seqs.add(m.get("seq").asLong()));
    return seqs;
  }

  @Test
  void twoDevicesOfOneUserStayInStepAndDeleteForMeStaysWithHer() {
    Client phone = new Client(user("alice"), "phone");
    Client laptop = new Client(phone.user, "laptop");
    Client bob = new Client(user("bob"), "phone");
    String phoneCursor = register(phone);
    String laptopCursor = register(laptop);
    String bobCursor = register(bob);

    String cid = conversation(bob, "direct", phone.user);
    Client.Answer sent = send(bob, sync1(), cid, "hello-1", "hello alice");
    assertThat(sent.status()).isEqualTo(201);
    long seq = sent.get("seq").asLong();

    JsonNode onPhone = pull(phone, sync2(), phoneCursor);
    JsonNode onLaptop = pull(laptop, sync1(), laptopCursor);
    for (JsonNode pulled : List.of(onPhone, onLaptop)) {
      assertThat(pulled.get("resync").isNull()).isTrue();
      List<JsonNode> messages = entries(pulled, "message");
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).get("text").asString()).isEqualTo("hello alice");
      assertThat(messages.get(0).get("seq").asLong()).isEqualTo(seq);
      assertThat(entries(pulled, "system").get(0).at("/notification/type").asString())
          .isEqualTo("conversation.created");
    }

    Client.Answer deleted =
        operate(phone, sync2(), cid, "del-1", Map.of("type", "delete_for_me", "targetSeq", seq));
    assertThat(deleted.status()).isEqualTo(201);

    JsonNode laptopAgain = pull(laptop, sync1(), onLaptop.get("nextCursor").asString());
    List<JsonNode> ops = entries(laptopAgain, "operation");
    assertThat(ops).hasSize(1);
    assertThat(ops.get(0).at("/operation/type").asString()).isEqualTo("delete_for_me");
    assertThat(ops.get(0).at("/operation/targetSeq").asLong()).isEqualTo(seq);

    JsonNode bobsInbox = pull(bob, sync2(), bobCursor);
    assertThat(entries(bobsInbox, "operation")).isEmpty();
    assertThat(entries(bobsInbox, "message")).hasSize(1);
    assertThat(pageSeqs(bob, SystemUnderTest.history1(), cid)).containsExactly(seq);
    assertThat(pageSeqs(laptop, SystemUnderTest.history2(), cid)).isEmpty();
  }

  @Test
  void anOverflowingInboxDropsTheOldestAndAStaleCursorGetsAGap() {
    Client alice = new Client(user("alice"), "phone");
    Client bob = new Client(user("bob"), "phone");
    String cursor = register(alice);
    String cid = conversation(bob, "group", alice.user);
    int sends = SystemUnderTest.INBOX_CAP + 5;
    for (int i = 0; i < sends; i++) {
      assertThat(send(bob, i % 2 == 0 ? sync1() : sync2(), cid, "m" + i, "n" + i).status())
          .isEqualTo(201);
    }
    assertThat(Stores.inboxLength(alice.user)).isEqualTo(SystemUnderTest.INBOX_CAP);
    JsonNode stale = pull(alice, sync2(), cursor);
    assertThat(stale.at("/resync/reason").asString()).isEqualTo("gap");
    assertThat(stale.get("entries")).isEmpty();
    String head = stale.at("/resync/headCursor").asString();
    JsonNode fromHead = pull(alice, sync1(), head);
    assertThat(fromHead.get("resync").isNull()).isTrue();
    assertThat(fromHead.get("entries")).isEmpty();
    // Everything is still in history: the client roams it after the gap.
    assertThat(pageSeqs(alice, SystemUnderTest.history1(), cid)).hasSize(sends);
  }

  @Test
  void aFlushedRedisLosesNothingDurableAndClientsAreToldToResync() {
    Client alice = new Client(user("alice"), "phone");
    Client bob = new Client(user("bob"), "phone");
    String cursor = register(alice);
    String cid = conversation(bob, "direct", alice.user);
    JsonNode before = pull(alice, sync1(), cursor);
    cursor = before.get("nextCursor").asString();
    long seq = send(bob, sync1(), cid, "before-flush", "still here?").get("seq").asLong();

    Stores.redis().sync().flushall();

    assertThat(pageSeqs(alice, SystemUnderTest.history2(), cid)).containsExactly(seq);
    JsonNode after = pull(alice, sync2(), cursor);
    assertThat(after.at("/resync/reason").asString()).isEqualTo("gap");
    assertThat(after.get("entries")).isEmpty();
    JsonNode cursorless = pull(alice, sync1(), null);
    assertThat(cursorless.get("resync").isNull()).isFalse();
  }

  @Test
  void retriesDeliverExactlyOnceAndA503DeliversNothing() {
    Client alice = new Client(user("alice"), "phone");
    Client bob = new Client(user("bob"), "phone");
    String cursor = register(alice);
    String cid = conversation(bob, "direct", alice.user);

    Client.Answer first = send(bob, sync1(), cid, "same-id", "once");
    Client.Answer retry = send(bob, sync2(), cid, "same-id", "once");
    assertThat(first.status()).isEqualTo(201);
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(send(bob, sync1(), cid, "same-id", "twice").status()).isEqualTo(409);

    Client.Answer unavailable =
        send(bob, SystemUnderTest.syncBroken(), cid, "during-outage", "are you there?");
    assertThat(unavailable.status()).isEqualTo(503);
    assertThat(unavailable.retryAfter()).isNotNull();
    assertThat(unavailable.get("type").asString())
        .isEqualTo("urn:messenger:problem:store-unavailable");
    Client.Answer later = send(bob, sync2(), cid, "during-outage", "are you there?");
    assertThat(later.status()).isEqualTo(201);
    Client.Answer again = send(bob, sync1(), cid, "during-outage", "are you there?");
    assertThat(again.status()).isEqualTo(200);

    List<JsonNode> messages = entries(pull(alice, sync1(), cursor), "message");
    assertThat(messages)
        .extracting(m -> m.get("seq").asLong())
        .containsExactly(first.get("seq").asLong(), later.get("seq").asLong());
  }

  @Test
  void twoInstancesOfEachServiceSendingTogetherGetDenseUniqueSeqs() throws Exception {
    Client alice = new Client(user("alice"), "phone");
    Client bob = new Client(user("bob"), "phone");
    String cursor = register(alice);
    String cid = conversation(alice, "group", bob.user);
    ConcurrentLinkedQueue<Long> seqs = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      Client sender = w % 2 == 0 ? alice : bob;
      ServiceProcess via = w < 2 ? sync1() : sync2();
      writers.add(
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; i < 10; i++) {
                  Client.Answer answer = send(sender, via, cid, "w" + writer + "-" + i, "x" + i);
                  assertThat(answer.status()).isEqualTo(201);
                  seqs.add(answer.get("seq").asLong());
                }
              }));
    }
    CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
    assertThat(seqs).hasSize(40).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seqs)).isEqualTo(rangeClosed(1, 40));

    List<JsonNode> delivered = entries(pull(alice, sync2(), cursor), "message");
    Set<Long> inbox = new HashSet<>();
    delivered.forEach(m -> inbox.add(m.get("seq").asLong()));
    assertThat(delivered).hasSize(40);
    assertThat(inbox).isEqualTo(rangeClosed(1, 40));
  }

  static Set<Long> rangeClosed(long from, long to) {
    Set<Long> out = new HashSet<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }

  @Test
  void aLongPollOnOneInstanceWakesForASendThroughTheOther() throws Exception {
    Client alice = new Client(user("alice"), "phone");
    Client bob = new Client(user("bob"), "phone");
    String cid = conversation(bob, "direct", alice.user);
    String cursor = register(alice);

    double parkedBefore = sync1().meter(PARKED);
    CompletableFuture<Client.Answer> parked =
        CompletableFuture.supplyAsync(
            () -> alice.get(sync1(), "/v1/sync?cursor=" + cursor + "&waitMs=20000"));
    await().atMost(Duration.ofSeconds(10)).until(() -> sync1().meter(PARKED) > parkedBefore);
    assertThat(parked).isNotDone();
    send(bob, sync2(), cid, "wake", "wake up");
    // Woken by the send through the other instance, well before its 20 s wait was over.
    Client.Answer woken = parked.get(15, TimeUnit.SECONDS);
    assertThat(woken.status()).isEqualTo(200);
    assertThat(entries(woken.body(), "message")).hasSize(1);

    long t0 = System.nanoTime();
    Client.Answer timedOut =
        alice.get(sync2(), "/v1/sync?cursor=" + woken.get("nextCursor").asString() + "&waitMs=700");
    long waited = (System.nanoTime() - t0) / 1_000_000;
    assertThat(timedOut.status()).isEqualTo(200);
    assertThat(timedOut.get("entries")).isEmpty();
    assertThat(waited).isGreaterThanOrEqualTo(600);
  }

  @Test
  void operationsReachOtherDevicesAndHistoryMatchesWhatTheyShow() {
    Client phone = new Client(user("alice"), "phone");
    Client bob = new Client(user("bob"), "phone");
    String cid = conversation(phone, "direct", bob.user);
    long s1 = send(phone, sync1(), cid, "a1", "first").get("seq").asLong();
    long s2 = send(phone, sync1(), cid, "a2", "second").get("seq").asLong();
    long s3 = send(bob, sync2(), cid, "b1", "third").get("seq").asLong();
    assertThat(
            operate(
                    phone,
                    sync1(),
                    cid,
                    "e1",
                    Map.of("type", "edit", "targetSeq", s1, "text", "first!"))
                .status())
        .isEqualTo(201);
    assertThat(
            operate(phone, sync2(), cid, "r2", Map.of("type", "recall", "targetSeq", s2)).status())
        .isEqualTo(201);
    assertThat(operate(bob, sync1(), cid, "r3", Map.of("type", "recall", "targetSeq", s3)).status())
        .isEqualTo(201);
    Client.Answer notSender =
        operate(bob, sync1(), cid, "r1", Map.of("type", "recall", "targetSeq", s1));
    assertThat(notSender.status()).isEqualTo(403);

    // A device that logs in later and roams sees the same state as the others.
    Client tablet = new Client(phone.user, "tablet");
    Client.Answer page =
        tablet.get(SystemUnderTest.history2(), "/v1/conversations/" + cid + "/messages");
    JsonNode messages = page.get("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.get(0).get("recalled").asBoolean()).isTrue();
    assertThat(messages.get(0).get("text").isNull()).isTrue();
    assertThat(messages.get(1).get("recalled").asBoolean()).isTrue();
    assertThat(messages.get(2).get("text").asString()).isEqualTo("first!");
    assertThat(messages.get(2).has("editedAt")).isTrue();

    // Read markers: unread follows them from any device; bob gets a read receipt.
    JsonNode before = phone.get(SystemUnderTest.history1(), "/v1/conversations/" + cid).body();
    assertThat(before.get("unread").asLong()).isZero();
    String bobCursor = register(bob);
    long s4 = send(phone, sync2(), cid, "a4", "fourth").get("seq").asLong();
    assertThat(
            bob.get(SystemUnderTest.history1(), "/v1/conversations/" + cid)
                .body()
                .get("unread")
                .asLong())
        .as("alice's edited first message and her fourth; recalled ones do not count")
        .isEqualTo(2);
    Client bobLaptop = new Client(bob.user, "laptop");
    assertThat(
            operate(bobLaptop, sync1(), cid, "read4", Map.of("type", "read", "upToSeq", s4))
                .status())
        .isEqualTo(201);
    JsonNode bobView = bob.get(SystemUnderTest.history2(), "/v1/conversations/" + cid).body();
    assertThat(bobView.get("unread").asLong()).isZero();
    assertThat(bobView.get("readSeq").asLong()).isEqualTo(s4);
    List<JsonNode> bobOps = entries(pull(bob, sync2(), bobCursor), "operation");
    assertThat(bobOps).extracting(o -> o.at("/operation/type").asString()).contains("read");
  }

  @Test
  void acksAreCumulativeAndCannotPassTheHead() throws Exception {
    Client alice = new Client(user("alice"), "phone");
    Client bob = new Client(user("bob"), "phone");
    String cursor = register(alice);
    String cid = conversation(bob, "direct", alice.user);
    send(bob, sync1(), cid, "x1", "one");
    send(bob, sync1(), cid, "x2", "two");
    JsonNode pulled = pull(alice, sync1(), cursor);
    String next = pulled.get("nextCursor").asString();
    assertThat(alice.post(sync1(), "/v1/sync/ack", Map.of("cursor", next)).status()).isEqualTo(204);
    assertThat(alice.post(sync1(), "/v1/sync/ack", Map.of("cursor", cursor)).status())
        .isEqualTo(204);
    Client.Answer beyond =
        alice.post(sync1(), "/v1/sync/ack", Map.of("cursor", "99999999999999-0"));
    assertThat(beyond.status()).isEqualTo(400);
    assertThat(beyond.get("type").asString()).isEqualTo("urn:messenger:problem:cursor-beyond-head");
    // The other instance sees the ack once it is flushed (within
    // messenger.sync.ack-flush-interval).
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode resumed = pull(alice, sync2(), null);
              assertThat(resumed.get("resync").isNull()).isTrue();
              assertThat(resumed.get("entries")).isEmpty();
            });
  }
}
