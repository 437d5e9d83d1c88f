package io.messenger.sync.history;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.messenger.model.ConversationId;
import io.messenger.model.internal.HistoryApi;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.SecurityProperties;
import io.messenger.support.security.Tokens;
import io.messenger.support.web.RequestIdFilter;
import io.messenger.sync.StoreErrors;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The history-service's internal API, the durable side of every client write. Calls carry a service
 * token (cached, re-minted at half its lifetime) and the current {@code X-Request-Id}.
 *
 * <p>Problem details the history-service answers with 4xx are relayed as they are (same status,
 * type and detail). When it cannot be reached, times out, or answers 5xx, the call fails with 503
 * {@code store-unavailable} and {@code Retry-After: 1}: the caller must not touch any inbox then.
 * Such failures are counted as {@code messenger.store.errors{store="history"}} with a bounded
 * {@code kind}.
 *
 * <p>Calls go through a pool of keep-alive connections (Apache HttpClient 5, classic blocking I/O,
 * at most {@code messenger.history.max-connections}): the calling thread writes the request, head
 * and body (serialized up front, sent with a {@code Content-Length}) in one buffer, and reads the
 * answer itself: no executor threads, no hand-offs, no connection set up per call. A failed call is
 * not retried here (not every call is idempotent): the 503 and its {@code Retry-After} tell the
 * app.
 *
 * <p>The four client writes go through a circuit breaker ({@link HistoryBreaker}, {@code
 * messenger.history.circuit-breaker.*}): while the history-service keeps failing, a write answers
 * the same 503 at once, without a call, instead of holding its request thread for up to {@code
 * timeout}; such refusals count as {@code kind="circuit_open"}. The relay's calls bypass it: they
 * run on the relay workers' own schedule and back off by themselves, and a relay sweep failing
 * during an outage must not keep the first writes after it out.
 */
@Component
public class HistoryClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HistoryClient.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
  private static final String SERVICE_NAME = "sync-service";

  /**
   * A pooled connection idle longer than this is checked before reuse (a 1 ms read that finds one
   * the history-service has closed), so that a call does not fail on a stale connection.
   */
  private static final TimeValue VALIDATE_AFTER_IDLE = TimeValue.ofSeconds(2);

  /**
   * Pooled connections idle this long are closed: before the history-service's keep-alive timeout
   * (Tomcat: 60 s unless configured) closes them from its side.
   */
  private static final TimeValue MAX_IDLE = TimeValue.ofSeconds(30);

  private record CachedToken(String value, Instant renewAt) {}

  private final CloseableHttpClient client;
  private final RestClient http;
  private final JsonMapper json;
  private final Tokens tokens;
  private final Clock clock;
  private final Duration tokenRenewal;
  private final MeterRegistry meters;
  private final CircuitBreaker breaker;
  private volatile CachedToken token;

  HistoryClient(
      HistoryProperties properties,
      JsonMapper json,
      Tokens tokens,
      SecurityProperties security,
      Clock clock,
      MeterRegistry meters) {
    this.client = pooledClient(properties);
    this.http =
        RestClient.builder()
            .baseUrl(properties.baseUrl().toString())
            .requestFactory(new HttpComponentsClientHttpRequestFactory(client))
            .build();
    this.json = json;
    this.tokens = tokens;
    this.clock = clock;
    this.tokenRenewal = security.internal().tokenTtl().dividedBy(2);
    this.meters = meters;
    this.breaker = HistoryBreaker.create(properties.circuitBreaker(), clock, meters);
  }

  /**
   * A blocking client over one pool for the single route to the history-service. Connect timeout,
   * response (socket read) timeout and the wait for a pooled connection are all {@code timeout}, so
   * each surfaces as a timeout-kind 503 within it. No cookies, redirects, compression or retries:
   * an internal JSON API needs none of them.
   */
  private static CloseableHttpClient pooledClient(HistoryProperties properties) {
    Timeout timeout = Timeout.of(properties.timeout());
    return HttpClients.custom()
        .setConnectionManager(
            PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(properties.maxConnections())
                .setMaxConnPerRoute(properties.maxConnections())
                .setDefaultConnectionConfig(
                    ConnectionConfig.custom()
                        .setConnectTimeout(timeout)
                        .setSocketTimeout(timeout)
                        .setValidateAfterInactivity(VALIDATE_AFTER_IDLE)
                        .build())
                .build())
        .setDefaultRequestConfig(
            RequestConfig.custom()
                .setConnectionRequestTimeout(timeout)
                .setResponseTimeout(timeout)
                .build())
        .evictExpiredConnections()
        .evictIdleConnections(MAX_IDLE)
        .disableCookieManagement()
        .disableRedirectHandling()
        .disableContentCompression()
        .disableAutomaticRetries()
        .build();
  }

  /** Closes the pooled connections (Spring calls this on shutdown, after in-flight requests). */
  @Override
  public void close() throws IOException {
    client.close();
  }

  public Outcome<HistoryApi.Conversation> createConversation(
      HistoryApi.CreateConversation request) {
    return write("/internal/v1/conversations", request, HistoryApi.Conversation.class);
  }

  public Outcome<HistoryApi.MembersChanged> changeMembers(
      ConversationId conversation, HistoryApi.ChangeMembers request) {
    return write(
        "/internal/v1/conversations/" + conversation.value() + "/members",
        request,
        HistoryApi.MembersChanged.class);
  }

  public Outcome<HistoryApi.MessageSent> sendMessage(
      ConversationId conversation, HistoryApi.SendMessage request) {
    return write(
        "/internal/v1/conversations/" + conversation.value() + "/messages",
        request,
        HistoryApi.MessageSent.class);
  }

  public Outcome<HistoryApi.OperationApplied> applyOperation(
      ConversationId conversation, HistoryApi.ApplyOperation request) {
    return write(
        "/internal/v1/conversations/" + conversation.value() + "/operations",
        request,
        HistoryApi.OperationApplied.class);
  }

  /** One sweep of a relay shard: the logged events to deliver again (delivery relay). */
  public HistoryApi.RelaySwept relaySweep(HistoryApi.RelaySweep request) {
    return post("/internal/v1/relay/sweep", request, HistoryApi.RelaySwept.class).body();
  }

  /** One sweep of several relay shards (one call per pass of a relay worker). */
  public HistoryApi.RelaySweptShards relaySweeps(HistoryApi.RelaySweeps request) {
    return post("/internal/v1/relay/sweeps", request, HistoryApi.RelaySweptShards.class).body();
  }

  /** Reports events whose own fan-out reached every recipient. */
  public void relayConfirm(HistoryApi.RelayConfirm request) {
    post("/internal/v1/relay/confirm", request, HistoryApi.RelayConfirmed.class);
  }

  /** Reports what a relay worker delivered. */
  public void relayAdvance(HistoryApi.RelayAdvance request) {
    post("/internal/v1/relay/advance", request, HistoryApi.RelayAdvanced.class);
  }

  /** A client write: through the circuit breaker. */
  private <T> Outcome<T> write(String path, Object request, Class<T> type) {
    try {
      return breaker.executeSupplier(() -> post(path, request, type));
    } catch (CallNotPermittedException e) {
      StoreErrors.count(meters, StoreErrors.HISTORY, "circuit_open");
      throw ApiException.unavailable(
          "the history store is failing: writes are held back for a moment", RETRY_AFTER, e);
    }
  }

  private <T> Outcome<T> post(String path, Object request, Class<T> type) {
    // One byte array with its length: written after the head in the same buffer, never chunked.
    byte[] body = json.writeValueAsBytes(request);
    String requestId = RequestIdFilter.current();
    try {
      return http.post()
          .uri(path)
          .contentType(MediaType.APPLICATION_JSON)
          .contentLength(body.length)
          .accept(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON)
          .header(HttpHeaders.AUTHORIZATION, "Bearer " + serviceToken())
          .headers(h -> setRequestId(h, requestId))
          .body(body)
          .exchange(
              (req, res) -> {
                int status = res.getStatusCode().value();
                byte[] content = res.getBody().readAllBytes();
                if (status == 200 || status == 201) {
                  return new Outcome<>(json.readValue(content, type), status == 201);
                }
                throw failure(path, status, content);
              });
    } catch (ResourceAccessException e) {
      StoreErrors.count(meters, StoreErrors.HISTORY, e);
      throw ApiException.unavailable("the history store cannot be reached", RETRY_AFTER, e);
    } catch (JacksonException e) {
      StoreErrors.count(meters, StoreErrors.HISTORY, "bad_response");
      throw ApiException.unavailable("the history store answered unexpectedly", RETRY_AFTER, e);
    }
  }

  private static void setRequestId(HttpHeaders headers, String requestId) {
    if (requestId != null) {
      headers.set(RequestIdFilter.HEADER, requestId);
    }
  }

  private ApiException failure(String path, int status, byte[] content) {
    if (status >= 500 || status == 401 || status == 403 && !isProblem(content)) {
      log.warn("history-service answered {} to {}", status, path);
      StoreErrors.count(meters, StoreErrors.HISTORY, status >= 500 ? "server_error" : "auth");
      return ApiException.unavailable(
          "the history store is temporarily unavailable", RETRY_AFTER, null);
    }
    HttpStatus resolved = HttpStatus.resolve(status);
    if (resolved == null || !resolved.is4xxClientError()) {
      log.warn("history-service answered unexpected status {} to {}", status, path);
      StoreErrors.count(meters, StoreErrors.HISTORY, "bad_response");
      return ApiException.unavailable("the history store answered unexpectedly", RETRY_AFTER, null);
    }
    String name = ProblemType.VALIDATION.name();
    String title = ProblemType.VALIDATION.title();
    String detail = resolved.getReasonPhrase();
    try {
      JsonNode problem = json.readTree(content);
      String type = problem.path("type").asString("");
      if (type.startsWith(ProblemType.PREFIX)) {
        name = type.substring(ProblemType.PREFIX.length());
        title = problem.path("title").asString(title);
      }
      detail = problem.path("detail").asString(detail);
    } catch (JacksonException e) {
      log.debug("history-service answered {} without a problem body", status);
    }
    return new ApiException(resolved, new ProblemType(name, title), detail);
  }

  private boolean isProblem(byte[] content) {
    try {
      return json.readTree(content).path("type").asString("").startsWith(ProblemType.PREFIX);
    } catch (JacksonException e) {
      return false;
    }
  }

  private String serviceToken() {
    CachedToken current = token;
    Instant now = clock.instant();
    if (current == null || !now.isBefore(current.renewAt())) {
      current = new CachedToken(tokens.service(SERVICE_NAME), now.plus(tokenRenewal));
      token = current;
    }
    return current.value();
  }
}
