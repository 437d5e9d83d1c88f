package io.messenger.sync.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import io.messenger.model.internal.HistoryApi;
import io.messenger.support.problem.ApiException;
import io.messenger.support.security.SecurityProperties;
import io.messenger.support.security.Tokens;
import io.messenger.support.web.RequestIdFilter;
import io.messenger.sync.SyncMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import tools.jackson.databind.json.JsonMapper;

class HistoryClientTest {

  private static final ConversationId CID = ConversationId.of("c_1");
  private static final HistoryApi.SendMessage SEND =
      new HistoryApi.SendMessage(UserId.of("alice"), "m1", "hello");

  private final JsonMapper json = JsonMapper.builder().build();
  private final SecurityProperties security =
      new SecurityProperties(
          new SecurityProperties.Jwt("test-client-secret-0123456789abcdef0123", null, null),
          new SecurityProperties.Internal("test-internal-secret-0123456789abcdef01", null));
  private final Tokens tokens = new Tokens(security, Clock.systemUTC());
  private final Map<String, String> seen = new ConcurrentHashMap<>();
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
  private final List<HistoryClient> clients = new ArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final MovableClock clock = new MovableClock();
  private HttpServer server;
  private volatile int status;
  private volatile String body;
  private volatile long delayMillis;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          calls.incrementAndGet();
          seen.put("path", exchange.getRequestURI().getPath());
          seen.put("auth", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          seen.put("rid", String.valueOf(exchange.getRequestHeaders().getFirst("X-Request-Id")));
          seen.put(
              "length", String.valueOf(exchange.getRequestHeaders().getFirst("Content-Length")));
          seen.put(
              "encoding",
              String.valueOf(exchange.getRequestHeaders().getFirst("Transfer-Encoding")));
          clientPorts.add(exchange.getRemoteAddress().getPort());
          seen.put(
              "body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] out = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() throws IOException {
    for (HistoryClient client : clients) {
      client.close();
    }
    server.stop(0);
    MDC.clear();
  }

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private HistoryClient client(URI base, Duration timeout) {
    return client(base, timeout, null);
  }

  private HistoryClient client(
      URI base, Duration timeout, HistoryProperties.CircuitBreaker breaker) {
    HistoryClient client =
        new HistoryClient(
            new HistoryProperties(base, timeout, 4, breaker),
            json,
            tokens,
            security,
            clock,
            meters);
    clients.add(client);
    return client;
  }

  private HistoryClient client() {
    return client(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(2));
  }

  private static final String SENT =
      """
      {"message": {"conversationId": "c_1", "seq": 4, "senderId": "alice",
        "sentAt": "2026-01-02T03:04:05Z", "clientMsgId": "m1", "text": "hello"},
       "recipients": ["alice", "bob"]}""";

  @Test
  void sendsWithAServiceTokenAndTheRequestId() {
    status = 201;
    body = SENT;
    MDC.put(RequestIdFilter.MDC_KEY, "req-42");

    Outcome<HistoryApi.MessageSent> outcome = client().sendMessage(CID, SEND);

    assertThat(outcome.created()).isTrue();
    assertThat(outcome.body().message().seq()).isEqualTo(4);
    assertThat(outcome.body().recipients())
        .extracting(UserId::value)
        .containsExactly("alice", "bob");
    assertThat(seen.get("path")).isEqualTo("/internal/v1/conversations/c_1/messages");
    assertThat(seen.get("auth")).startsWith("Bearer ey");
    assertThat(seen.get("rid")).isEqualTo("req-42");
    assertThat(seen.get("body"))
        .contains("\"senderId\":\"alice\"", "\"clientMsgId\":\"m1\"", "\"text\":\"hello\"");
  }

  @Test
  void theBodyHasALengthAndTheConnectionIsReused() {
    status = 201;
    body = SENT;
    HistoryClient client = client();

    for (int i = 0; i < 3; i++) {
      client.sendMessage(CID, SEND);
    }

    int length = seen.get("body").getBytes(StandardCharsets.UTF_8).length;
    assertThat(seen.get("length")).isEqualTo(Integer.toString(length));
    assertThat(seen.get("encoding")).isEqualTo("null");
    assertThat(clientPorts).hasSize(1);
  }

  @Test
  void aRepeatIsNotACreation() {
    status = 200;
    body = SENT;

    assertThat(client().sendMessage(CID, SEND).created()).isFalse();
  }

  @Test
  void problemDetailsAreRelayed() {
    status = 409;
    body =
        """
        {"type": "urn:messenger:problem:idempotency-conflict", "title": "Client id reused",
         "status": 409, "detail": "m1 was used for another text"}""";

    assertThatThrownBy(() -> client().sendMessage(CID, SEND))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.status().value()).isEqualTo(409);
              assertThat(e.type().name()).isEqualTo("idempotency-conflict");
              assertThat(e.getMessage()).isEqualTo("m1 was used for another text");
            });
  }

  @Test
  void serverErrorsBecomeStoreUnavailable() {
    status = 503;
    body = "{}";

    assertUnavailable(client());
    assertCounted("server_error");
  }

  @Test
  void connectionRefusedBecomesStoreUnavailable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }

    assertUnavailable(client(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(1)));
    assertCounted("connection");
  }

  @Test
  void aSlowAnswerTimesOutAsStoreUnavailable() {
    status = 201;
    body = SENT;
    delayMillis = 1_500;

    assertUnavailable(
        client(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
            Duration.ofMillis(300)));
    assertCounted("timeout");
  }

  /** Opens when half of at least 4 calls of the last 10 s failed; stays open for 30 s. */
  private HistoryClient clientWithBreaker() {
    return client(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        Duration.ofSeconds(2),
        new HistoryProperties.CircuitBreaker(
            50, Duration.ofSeconds(10), 4, Duration.ofSeconds(30), 1));
  }

  /** A client whose breaker the history-service's 503s to its first four calls opened. */
  private HistoryClient openBreaker() {
    status = 503;
    body = "{}";
    HistoryClient client = clientWithBreaker();
    for (int i = 0; i < 4; i++) {
      assertUnavailable(client);
    }
    return client;
  }

  @Test
  void theBreakerOpensAfterFailuresAndThenAnswers503WithoutACall() {
    HistoryClient client = openBreaker();
    assertThat(calls).hasValue(4);
    assertThat(breakerState("open")).isEqualTo(1.0);

    // Open: the same 503 problem with Retry-After, and the history-service is not called at all.
    status = 201;
    body = SENT;
    assertThat(assertUnavailable(client).getCause()).isInstanceOf(CallNotPermittedException.class);
    assertThat(calls).hasValue(4);
    assertCounted("circuit_open");
  }

  @Test
  void relayCallsBypassAnOpenBreaker() {
    HistoryClient client = openBreaker();
    status = 200;
    body = "{\"advanced\": 0}";

    client.relayConfirm(new HistoryApi.RelayConfirm(List.of()));

    assertThat(calls).hasValue(5);
    assertThat(breakerState("open")).isEqualTo(1.0);
  }

  @Test
  void aTrialCallAfterTheOpenTimeClosesItAgain() {
    HistoryClient client = openBreaker();
    status = 201;
    body = SENT;
    clock.advance(Duration.ofSeconds(31));

    assertThat(client.sendMessage(CID, SEND).created()).isTrue();

    assertThat(breakerState("closed")).isEqualTo(1.0);
  }

  @Test
  void problemDetailsOfTheHistoryServiceDoNotOpenTheBreaker() {
    status = 404;
    body =
        """
        {"type": "urn:messenger:problem:conversation-not-found", "title": "Not found",
         "status": 404, "detail": "no such conversation"}""";
    HistoryClient client = clientWithBreaker();

    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> client.sendMessage(CID, SEND))
          .isInstanceOfSatisfying(
              ApiException.class, e -> assertThat(e.status().value()).isEqualTo(404));
    }

    assertThat(calls).hasValue(10);
    assertThat(breakerState("closed")).isEqualTo(1.0);
  }

  private double breakerState(String state) {
    return meters
        .get("resilience4j.circuitbreaker.state")
        .tag("name", "history")
        .tag("state", state)
        .gauge()
        .value();
  }

  /** The UTC system clock, moved forward by the test (the breaker's open time). */
  private static final class MovableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration by) {
      offset = offset.plus(by);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }
  }

  private void assertCounted(String kind) {
    assertThat(meters.counter(SyncMetrics.STORE_ERRORS, "store", "history", "kind", kind).count())
        .isEqualTo(1.0);
  }

  /** A send fails with 503 {@code store-unavailable} and {@code Retry-After: 1}; returns it. */
  private static ApiException assertUnavailable(HistoryClient client) {
    ApiException e = catchThrowableOfType(ApiException.class, () -> client.sendMessage(CID, SEND));
    assertThat(e).as("a 503 problem").isNotNull();
    assertThat(e.status().value()).isEqualTo(503);
    assertThat(e.type().name()).isEqualTo("store-unavailable");
    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    return e;
  }
}
