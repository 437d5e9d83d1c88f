package io.messenger.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lettuce.core.protocol.CommandArgsAccessor;
import io.lettuce.core.protocol.RedisCommand;
import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;
import io.messenger.support.security.Tokens;
import io.messenger.sync.largegroup.LargeGroupStore;
import io.messenger.sync.support.RedisExtension;
import io.messenger.sync.support.StubHistory;
import io.messenger.sync.support.StubHistory.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sync-service over HTTP with real Redis and a stub history-service: the write path and its
 * fan-out, pulls, long-polls, acks and internal notifications.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SyncApiIT {

  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  static final StubHistory history = new StubHistory();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.host", RedisExtension::host);
    registry.add("spring.data.redis.port", RedisExtension::port);
    registry.add("messenger.history.base-url", history::baseUrl);
    registry.add("messenger.history.timeout", () -> "2s");
    registry.add("messenger.jwt.secret", () -> "it-client-secret-0123456789abcdef0123456789");
    registry.add("messenger.internal.secret", () -> "it-internal-secret-0123456789abcdef012345");
    registry.add("messenger.sync.max-parked", () -> "2");
    registry.add("messenger.sync.ack-flush-interval", () -> "1500ms");
    // The relay worker has its own test (DeliveryRelayIT): here it would call the stub.
    registry.add("messenger.delivery.relay", () -> "false");
  }

  @AfterAll
  static void stopStub() {
    history.close();
  }

  /** Every Redis command the service sends, from its first connection on. */
  static final SentCommands SENT = new SentCommands();

  @TestConfiguration(proxyBeanMethods = false)
  static class CountRedisCommands {
    @Bean
    static BeanPostProcessor sentCommands() {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
          if (bean instanceof LettuceConnectionFactory factory) {
            factory.getRequiredNativeClient().addListener(SENT);
            factory.resetConnection(); // a connection made before the listener would miss it
          }
          return bean;
        }
      };
    }
  }

  /**
   * The Redis commands sent, each with the thread that sent it (Lettuce tells a command listener on
   * the sending thread) and its first key: what one request costs in round trips.
   */
  static final class SentCommands implements CommandListener {
    record Sent(String thread, String type, String firstKey) {}

    private final List<Sent> sent = new CopyOnWriteArrayList<>();

    @Override
    public void commandStarted(CommandStartedEvent event) {
      RedisCommand<Object, Object, Object> command = event.getCommand();
      ByteBuffer key =
          command.getArgs() == null ? null : CommandArgsAccessor.encodeFirstKey(command.getArgs());
      sent.add(
          new Sent(
              Thread.currentThread().getName(),
              command.getType().toString(),
              key == null ? "" : StandardCharsets.UTF_8.decode(key).toString()));
    }

    int size() {
      return sent.size();
    }

    /**
     * The commands sent since the {@code from}-th by the thread of the first of them on one of
     * {@code user}'s keys: those of the (synchronous) request that sent it.
     */
    List<String> ofRequestOn(UserId user, int from) {
      List<Sent> since = sent.subList(from, sent.size());
      String thread =
          since.stream()
              .filter(c -> c.firstKey().contains("{" + user.value() + "}"))
              .findFirst()
              .orElseThrow()
              .thread();
      return since.stream().filter(c -> c.thread().equals(thread)).map(Sent::type).toList();
    }
  }

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired JsonMapper json;
  @Autowired MeterRegistry meters;
  @Autowired LargeGroupStore largeGroups;

  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void resetStub() {
    history.reset();
  }

  // ---------------------------------------------------------------- helpers

  record Answer(int status, Map<String, Object> body, HttpResponse<String> raw) {}

  /** Long-polls parked on this instance now. */
  private double parked() {
    return meters.get(SyncMetrics.LONGPOLL_PARKED).gauge().value();
  }

  /** Waits until at least {@code count} long-polls are parked on this instance. */
  private void awaitParked(double count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> parked() >= count);
  }

  private String token(UserId user) {
    return tokens.client(user, DeviceId.of("phone"), Duration.ofHours(1));
  }

  private Answer send(HttpRequest.Builder request) throws Exception {
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    Map<String, Object> body =
        response.body().isEmpty()
            ? Map.of()
            : json.readValue(response.body(), new TypeReference<Map<String, Object>>() {});
    return new Answer(response.statusCode(), body, response);
  }

  private HttpRequest.Builder request(String path, String token) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(40))
        .header("Authorization", "Bearer " + token);
  }

  private Answer get(UserId user, String path) throws Exception {
    return send(request(path, token(user)).GET());
  }

  private Answer post(String path, String token, Object body) throws Exception {
    return send(
        request(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body))));
  }

  private Answer post(UserId user, String path, Object body) throws Exception {
    return post(path, token(user), body);
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> entries(UserId user) throws Exception {
    Answer answer = get(user, "/v1/sync?cursor=0-0&limit=500");
    assertThat(answer.status()).isEqualTo(200);
    return (List<Map<String, Object>>) answer.body().get("entries");
  }

  private String head(UserId user) throws Exception {
    Answer answer = get(user, "/v1/sync?cursor=0-0&limit=500");
    List<?> entries = (List<?>) answer.body().get("entries");
    return entries.isEmpty()
        ? (String) answer.body().get("nextCursor")
        : (String) ((Map<?, ?>) entries.get(entries.size() - 1)).get("cursor");
  }

  private Answer notify(UserId user, String notificationId) throws Exception {
    return post(
        "/internal/v1/users/" + user.value() + "/notifications",
        tokens.service("it"),
        Map.of("notificationId", notificationId, "type", "friend.request", "payload", Map.of()));
  }

  private static String list(List<UserId> users) {
    return users.stream().map(u -> "\"" + u.value() + "\"").toList().toString();
  }

  private static String messageReply(String cid, long seq, UserId sender, List<UserId> to) {
    return """
        {"message": {"conversationId": "%s", "seq": %d, "senderId": "%s",
          "sentAt": "2026-01-02T03:04:05Z", "clientMsgId": "m-%d", "text": "hello %d"},
         "recipients": %s}"""
        .formatted(cid, seq, sender.value(), seq, seq, list(to));
  }

  // ---------------------------------------------------------------- write path

  @Test
  @SuppressWarnings("unchecked")
  void aConversationIsAnnouncedToEveryMemberOnceAlsoWhenRepeated() throws Exception {
    UserId alice = redis.newUser();
    UserId bob = redis.newUser();
    UserId carol = redis.newUser();
    String reply =
        """
        {"conversationId": "c_new1", "type": "group", "title": "trip",
         "members": %s, "createdAt": "2026-01-02T03:04:05Z", "createdBy": "%s"}"""
            .formatted(list(List.of(alice, bob, carol)), alice.value());
    history.answer(call -> Reply.of(201, reply));

    Answer created =
        post(
            alice,
            "/v1/conversations",
            Map.of(
                "type", "group", "members", List.of(bob.value(), carol.value()), "title", "trip"));
    history.answer(call -> Reply.of(200, reply));
    Answer again =
        post(
            alice,
            "/v1/conversations",
            Map.of(
                "type", "group", "members", List.of(bob.value(), carol.value()), "title", "trip"));

    assertThat(created.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(created.body())
        .containsEntry("conversationId", "c_new1")
        .containsEntry("type", "group")
        .containsEntry("title", "trip")
        .containsEntry("members", List.of(alice.value(), bob.value(), carol.value()))
        .containsKey("createdAt");
    StubHistory.Call call = history.calls().get(0);
    assertThat(call.path()).isEqualTo("/internal/v1/conversations");
    assertThat(call.authorization()).startsWith("Bearer ");
    assertThat(json.readTree(call.body()).path("createdBy").asString()).isEqualTo(alice.value());
    assertThat(json.readTree(call.body()).path("members").size()).isEqualTo(3);
    for (UserId member : List.of(alice, bob, carol)) {
      List<Map<String, Object>> entries = entries(member);
      assertThat(entries).hasSize(1);
      assertThat(entries.get(0))
          .containsEntry("kind", "system")
          .containsEntry("conversationId", "c_new1")
          .containsEntry("notificationId", "created.c_new1");
      assertThat((Map<String, Object>) entries.get(0).get("notification"))
          .containsEntry("type", "conversation.created");
    }
  }

  @Test
  void createValidationHappensBeforeTheHistoryCall() throws Exception {
    UserId alice = redis.newUser();

    Answer direct =
        post(alice, "/v1/conversations", Map.of("type", "direct", "members", List.of()));
    Answer badId =
        post(alice, "/v1/conversations", Map.of("type", "group", "members", List.of("a b")));
    Answer badType = post(alice, "/v1/conversations", Map.of("type", "channel"));

    assertThat(direct.status()).isEqualTo(400);
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badType.status()).isEqualTo(400);
    assertThat(direct.body()).containsEntry("type", "urn:messenger:problem:validation");
    assertThat(history.calls()).isEmpty();
  }

  @Test
  void aMessageReachesEveryRecipientOnceAlsoWhenRetried() throws Exception {
    UserId alice = redis.newUser();
    UserId bob = redis.newUser();
    history.answer(call -> Reply.of(201, messageReply("c_m1", 7, alice, List.of(alice, bob))));

    Answer sent =
        post(alice, "/v1/conversations/c_m1/messages", Map.of("clientMsgId", "m-7", "text", "hi"));
    history.answer(call -> Reply.of(200, messageReply("c_m1", 7, alice, List.of(alice, bob))));
    Answer retried =
        post(alice, "/v1/conversations/c_m1/messages", Map.of("clientMsgId", "m-7", "text", "hi"));

    assertThat(sent.status()).isEqualTo(201);
    assertThat(retried.status()).isEqualTo(200);
    assertThat(sent.body())
        .containsOnlyKeys("conversationId", "seq", "senderId", "sentAt", "clientMsgId")
        .containsEntry("conversationId", "c_m1")
        .containsEntry("seq", 7)
        .containsEntry("senderId", alice.value())
        .containsEntry("clientMsgId", "m-7");
    assertThat(retried.body()).isEqualTo(sent.body());
    for (UserId member : List.of(alice, bob)) {
      assertThat(entries(member))
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e)
                      .containsEntry("kind", "message")
                      .containsEntry("seq", 7)
                      .containsEntry("senderId", alice.value())
                      .containsEntry("text", "hello 7"));
    }
  }

  @Test
  void anUnavailableHistoryIsA503AndNoInboxGetsAnything() throws Exception {
    UserId alice = redis.newUser();
    history.answer(call -> Reply.of(503, "{}"));

    Answer answer =
        post(alice, "/v1/conversations/c_x/messages", Map.of("clientMsgId", "m-1", "text", "hi"));

    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.raw().headers().firstValue("Retry-After")).hasValue("1");
    assertThat(answer.body()).containsEntry("type", "urn:messenger:problem:store-unavailable");
    assertThat(entries(alice)).isEmpty();
    assertThat(
            meters.counter(SyncMetrics.SEND, "kind", "message", "outcome", "unavailable").count())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void historyProblemsAreRelayed() throws Exception {
    UserId alice = redis.newUser();
    history.answer(
        call ->
            Reply.of(
                404,
                """
                {"type": "urn:messenger:problem:conversation-not-found",
                 "title": "Conversation not found", "status": 404, "detail": "no such conversation"}"""));

    Answer answer =
        post(alice, "/v1/conversations/c_nope/messages", Map.of("clientMsgId", "m1", "text", "x"));

    assertThat(answer.status()).isEqualTo(404);
    assertThat(answer.body())
        .containsEntry("type", "urn:messenger:problem:conversation-not-found")
        .containsEntry("detail", "no such conversation");
  }

  @Test
  void textLimitsAreCheckedHere() throws Exception {
    UserId alice = redis.newUser();

    Answer tooLong =
        post(
            alice,
            "/v1/conversations/c_1/messages",
            Map.of("clientMsgId", "m1", "text", "x".repeat(4097)));
    Answer blank =
        post(alice, "/v1/conversations/c_1/messages", Map.of("clientMsgId", "m1", "text", "  "));
    Answer badId =
        post(alice, "/v1/conversations/c_1/messages", Map.of("clientMsgId", "m 1", "text", "x"));

    assertThat(tooLong.status()).isEqualTo(413);
    assertThat(tooLong.body()).containsEntry("type", "urn:messenger:problem:text-too-long");
    assertThat(blank.status()).isEqualTo(400);
    assertThat(blank.body()).containsEntry("type", "urn:messenger:problem:validation");
    assertThat(badId.status()).isEqualTo(400);
    assertThat(history.calls()).isEmpty();
  }

  @Test
  void anOperationReachesTheRecipientsHistoryNames() throws Exception {
    UserId alice = redis.newUser();
    UserId bob = redis.newUser();
    String reply =
        """
        {"event": {"conversationId": "c_o1", "seq": 12, "actorId": "%s",
          "at": "2026-01-02T03:04:05Z", "clientOpId": "op-1",
          "operation": {"type": "read", "upToSeq": 11}},
         "recipients": %s}"""
            .formatted(alice.value(), list(List.of(alice, bob)));
    history.answer(call -> Reply.of(201, reply));

    Answer answer =
        post(
            alice,
            "/v1/conversations/c_o1/operations",
            Map.of("clientOpId", "op-1", "type", "read", "upToSeq", 11));

    assertThat(answer.status()).isEqualTo(201);
    assertThat(answer.body())
        .containsEntry("conversationId", "c_o1")
        .containsEntry("seq", 12)
        .containsEntry("type", "read")
        .containsEntry("upToSeq", 11)
        .doesNotContainKey("targetSeq");
    assertThat(json.readTree(history.calls().get(0).body()).path("upToSeq").asLong()).isEqualTo(11);
    for (UserId member : List.of(alice, bob)) {
      assertThat(entries(member))
          .singleElement()
          .satisfies(
              e ->
                  assertThat(e)
                      .containsEntry("kind", "operation")
                      .containsEntry("senderId", alice.value())
                      .containsEntry("clientOpId", "op-1")
                      .containsEntry("operation", Map.of("type", "read", "upToSeq", 11)));
    }
  }

  @Test
  void removedMembersLearnOfTheirRemovalAndAddedOnesOfTheirAddition() throws Exception {
    UserId alice = redis.newUser();
    UserId bob = redis.newUser();
    UserId dave = redis.newUser();
    history.answer(
        call ->
            Reply.of(
                200,
                """
                {"conversationId": "c_g1", "type": "group", "title": null,
                 "members": %s, "added": %s, "removed": %s,
                 "changeId": "7", "at": "2026-01-02T03:04:05Z"}"""
                    .formatted(
                        list(List.of(alice, dave)), list(List.of(dave)), list(List.of(bob)))));

    Answer answer =
        post(
            alice,
            "/v1/conversations/c_g1/members",
            Map.of("add", List.of(dave.value()), "remove", List.of(bob.value())));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(entries(alice))
        .extracting(e -> e.get("notificationId"))
        .containsExactly("added.c_g1.7", "removed.c_g1.7");
    assertThat(entries(dave))
        .extracting(e -> e.get("notificationId"))
        .containsExactly("added.c_g1.7", "removed.c_g1.7");
    assertThat(entries(bob))
        .extracting(e -> e.get("notificationId"))
        .containsExactly("removed.c_g1.7");
  }

  // ---------------------------------------------------------------- notifications

  @Test
  void internalNotificationsAreIdempotentAndNeedAServiceToken() throws Exception {
    UserId alice = redis.newUser();

    assertThat(notify(alice, "fr-1").status()).isEqualTo(201);
    assertThat(notify(alice, "fr-1").status()).isEqualTo(200);
    Answer withClientToken =
        post(
            "/internal/v1/users/" + alice.value() + "/notifications",
            token(alice),
            Map.of("notificationId", "fr-2", "type", "friend.request"));

    assertThat(withClientToken.status()).isEqualTo(401);
    assertThat(entries(alice))
        .singleElement()
        .satisfies(e -> assertThat(e).containsEntry("notificationId", "fr-1"));
  }

  // ---------------------------------------------------------------- pull and long-poll

  @Test
  void aLongPollIsWokenByANewEntry() throws Exception {
    UserId alice = redis.newUser();
    notify(alice, "n-0");
    String head = head(alice);

    double parkedBefore = parked();
    CompletableFuture<HttpResponse<String>> parked =
        http.sendAsync(
            request("/v1/sync?waitMs=20000&cursor=" + head, token(alice)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    awaitParked(parkedBefore + 1);
    assertThat(parked).isNotDone();
    notify(alice, "n-1");
    HttpResponse<String> response = parked.get(10, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"notificationId\":\"n-1\"").doesNotContain("n-0");
  }

  @Test
  void aLongPollParkedBeforeTheFirstEntryOfAnInboxReadsItOnWakeUp() throws Exception {
    UserId alice = redis.newUser();
    // A new device of a new inbox: resync at the incarnation start, no entry yet (the news of
    // the first entry names no predecessor, so the waiter re-reads the inbox).
    Answer first = get(alice, "/v1/sync");
    String head = (String) ((Map<?, ?>) first.body().get("resync")).get("headCursor");

    double parkedBefore = parked();
    CompletableFuture<HttpResponse<String>> parked =
        http.sendAsync(
            request("/v1/sync?waitMs=20000&cursor=" + head, token(alice)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    awaitParked(parkedBefore + 1);
    assertThat(parked).isNotDone();
    notify(alice, "n-first");
    HttpResponse<String> response = parked.get(10, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"notificationId\":\"n-first\"");
  }

  @Test
  void aLongPollWhoseClientWentAwayGivesUpItsPlaceAndLosesNothing() throws Exception {
    UserId alice = redis.newUser();
    notify(alice, "n-0");
    String head = head(alice);
    double parkedBefore = parked();
    try (Socket client = new Socket("127.0.0.1", port)) {
      client
          .getOutputStream()
          .write(
              ("GET /v1/sync?waitMs=20000&cursor="
                      + head
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      + "Authorization: Bearer "
                      + token(alice)
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      awaitParked(parkedBefore + 1);
    }
    // The client is gone: the wake-up's answer goes nowhere, and the place is free again.
    notify(alice, "n-1");
    await().atMost(Duration.ofSeconds(10)).until(() -> parked() <= parkedBefore);

    Answer next = get(alice, "/v1/sync?cursor=" + head);
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.raw().body()).contains("\"notificationId\":\"n-1\"");
  }

  @Test
  void aLongPollTimesOutWithNoEntries() throws Exception {
    UserId alice = redis.newUser();
    notify(alice, "n-0");
    String head = head(alice);

    long start = System.nanoTime();
    Answer answer = get(alice, "/v1/sync?waitMs=1000&cursor=" + head);
    long elapsed = (System.nanoTime() - start) / 1_000_000;

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body())
        .containsEntry("entries", List.of())
        .containsEntry("nextCursor", head)
        .containsEntry("hasMore", false)
        .containsEntry("resync", null);
    assertThat(elapsed).as("answered after its wait").isGreaterThanOrEqualTo(900L);
  }

  @Test
  void tooManyParkedLongPollsAreRefusedWith503() throws Exception {
    UserId alice = redis.newUser();
    notify(alice, "n-0");
    String head = head(alice);
    double parkedBefore = parked();
    List<CompletableFuture<HttpResponse<String>>> parked =
        List.of(
            http.sendAsync(
                request("/v1/sync?waitMs=15000&cursor=" + head, token(alice)).GET().build(),
                HttpResponse.BodyHandlers.ofString()),
            http.sendAsync(
                request("/v1/sync?waitMs=15000&cursor=" + head, token(alice)).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
    awaitParked(parkedBefore + 2);

    Answer refused = get(alice, "/v1/sync?waitMs=15000&cursor=" + head);

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.body()).containsEntry("type", "urn:messenger:problem:too-many-waiting");
    notify(alice, "n-1");
    for (CompletableFuture<HttpResponse<String>> poll : parked) {
      assertThat(poll.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void pullParametersAreValidated() throws Exception {
    UserId alice = redis.newUser();

    assertThat(get(alice, "/v1/sync?cursor=nope").body())
        .containsEntry("type", "urn:messenger:problem:malformed-cursor");
    assertThat(get(alice, "/v1/sync?limit=501").status()).isEqualTo(400);
    assertThat(get(alice, "/v1/sync?waitMs=30001").status()).isEqualTo(400);
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/sync")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aLostInboxAnswersResyncGap() throws Exception {
    UserId alice = redis.newUser();
    notify(alice, "n-0");
    String head = head(alice);
    redis.loseInbox(alice);

    Answer answer = get(alice, "/v1/sync?cursor=" + head);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).containsEntry("entries", List.of());
    assertThat((Map<String, Object>) answer.body().get("resync")).containsEntry("reason", "gap");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aPullIsOneRedisRoundTripForAUserInNoLargeGroupAndTwoForAUserInSome() throws Exception {
    UserId alice = redis.newUser();
    UserId bob = redis.newUser();
    ConversationId group =
        ConversationId.of("c_lg" + UUID.randomUUID().toString().replace("-", ""));
    largeGroups.opened(group, 0, List.of(bob));
    largeGroups.advance(group, 1, Instant.parse("2026-01-02T03:04:05Z"));
    get(alice, "/v1/sync"); // registers the devices (and loads the scripts)
    get(bob, "/v1/sync");

    int before = SENT.size();
    Answer none = get(alice, "/v1/sync");
    List<String> noneSent = SENT.ofRequestOn(alice, before);
    before = SENT.size();
    Answer some = get(bob, "/v1/sync");
    List<String> someSent = SENT.ofRequestOn(bob, before);

    assertThat(none.body()).containsEntry("largeGroups", List.of());
    // pull.lua, which also reads the user's large groups (lg:{U}: none).
    assertThat(noneSent).containsExactly("EVALSHA");
    assertThat((List<Map<String, Object>>) some.body().get("largeGroups"))
        .containsExactly(Map.of("conversationId", group.value(), "afterSeq", 0, "lastSeq", 1));
    // pull.lua, then the heads of the user's large groups.
    assertThat(someSent).containsExactly("EVALSHA", "MGET");
  }

  // ---------------------------------------------------------------- acks

  @Test
  void acksAreCoalescedMonotonicAndSeenByCursorlessPulls() throws Exception {
    UserId alice = redis.newUser();
    assertThat(get(alice, "/v1/sync").body().get("resync")).isNotNull(); // registers the device
    notify(alice, "n-1");
    String first = head(alice);
    notify(alice, "n-2");
    InboxCursor second = InboxCursor.parse(head(alice));
    double writesBefore = meters.counter(SyncMetrics.ACK_WRITES).count();
    double receivedBefore = meters.counter(SyncMetrics.ACK_RECEIVED).count();

    // 100 acks, the newest being the first entry: the window coalesces them.
    InboxCursor firstCursor = InboxCursor.parse(first);
    long started = System.nanoTime();
    for (int i = 99; i >= 0; i--) {
      InboxCursor c = new InboxCursor(firstCursor.millis() - i, 0);
      assertThat(post(alice, "/v1/sync/ack", Map.of("cursor", c.toString())).status())
          .isEqualTo(204);
    }
    // A cursor-less pull already reflects the newest ack, flushed or not.
    assertThat(get(alice, "/v1/sync").body().toString()).contains("n-2").doesNotContain("n-1");
    // At most one write per flush window (1.5 s here) that saw a new ack: on an idle machine the
    // 100 acks fit in one or two windows; on a loaded one they may span more.
    long windows = (System.nanoTime() - started) / 1_500_000_000L + 2;

    // The newest ack is the last one a window flushes: once it is stored, every flush is done.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> redis.redis().opsForHash().get(RedisExtension.keysOf(alice).get(1), "dev:phone"),
            first::equals);
    double writes = meters.counter(SyncMetrics.ACK_WRITES).count() - writesBefore;
    assertThat(meters.counter(SyncMetrics.ACK_RECEIVED).count() - receivedBefore).isEqualTo(100);
    assertThat(writes).as("store writes for 100 acks").isBetween(1.0, (double) windows);
    assertThat(redis.redis().opsForHash().get(RedisExtension.keysOf(alice).get(1), "dev:phone"))
        .isEqualTo(first);

    // Older is a no-op, beyond the head and malformed are refused.
    assertThat(post(alice, "/v1/sync/ack", Map.of("cursor", "1-0")).status()).isEqualTo(204);
    Answer beyond =
        post(
            alice,
            "/v1/sync/ack",
            Map.of("cursor", new InboxCursor(second.millis(), second.sequence() + 1).toString()));
    Answer malformed = post(alice, "/v1/sync/ack", Map.of("cursor", "x-1"));
    assertThat(beyond.status()).isEqualTo(400);
    assertThat(beyond.body()).containsEntry("type", "urn:messenger:problem:cursor-beyond-head");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.body()).containsEntry("type", "urn:messenger:problem:malformed-cursor");
    // For more than a flush window (1.5 s), the stored ack stays where it was.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> redis.redis().opsForHash().get(RedisExtension.keysOf(alice).get(1), "dev:phone"),
            first::equals);
  }

  // ---------------------------------------------------------------- operations

  @Test
  void healthAndOpenApiAreServed() throws Exception {
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> docs =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/api-docs")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(docs.body()).contains("/v1/sync", "/v1/sync/ack", "bearer");
  }
}
