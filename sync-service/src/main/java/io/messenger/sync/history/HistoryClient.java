package io.messenger.sync.history;

import io.messenger.model.ConversationId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.SecurityProperties;
import io.messenger.support.security.Tokens;
import io.messenger.support.web.RequestIdFilter;
import io.messenger.sync.StoreErrors;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
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
 */
@Component
public class HistoryClient {

  private static final Logger log = LoggerFactory.getLogger(HistoryClient.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
  private static final String SERVICE_NAME = "sync-service";

  private record CachedToken(String value, Instant renewAt) {}

  private final RestClient http;
  private final JsonMapper json;
  private final Tokens tokens;
  private final Clock clock;
  private final Duration tokenRenewal;
  private final MeterRegistry meters;
  private volatile CachedToken token;

  HistoryClient(
      HistoryProperties properties,
      JsonMapper json,
      Tokens tokens,
      SecurityProperties security,
      Clock clock,
      MeterRegistry meters) {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(properties.timeout())
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(client);
    requests.setReadTimeout(properties.timeout());
    this.http =
        RestClient.builder()
            .baseUrl(properties.baseUrl().toString())
            .requestFactory(requests)
            .build();
    this.json = json;
    this.tokens = tokens;
    this.clock = clock;
    this.tokenRenewal = security.internal().tokenTtl().dividedBy(2);
    this.meters = meters;
  }

  public HistoryApi.Outcome<HistoryApi.Conversation> createConversation(
      HistoryApi.CreateConversation request) {
    return post("/internal/v1/conversations", request, HistoryApi.Conversation.class);
  }

  public HistoryApi.Outcome<HistoryApi.MembersChanged> changeMembers(
      ConversationId conversation, HistoryApi.ChangeMembers request) {
    return post(
        "/internal/v1/conversations/" + conversation.value() + "/members",
        request,
        HistoryApi.MembersChanged.class);
  }

  public HistoryApi.Outcome<HistoryApi.MessageSent> sendMessage(
      ConversationId conversation, HistoryApi.SendMessage request) {
    return post(
        "/internal/v1/conversations/" + conversation.value() + "/messages",
        request,
        HistoryApi.MessageSent.class);
  }

  public HistoryApi.Outcome<HistoryApi.OperationApplied> applyOperation(
      ConversationId conversation, HistoryApi.ApplyOperation request) {
    return post(
        "/internal/v1/conversations/" + conversation.value() + "/operations",
        request,
        HistoryApi.OperationApplied.class);
  }

  private <T> HistoryApi.Outcome<T> post(String path, Object request, Class<T> type) {
    String body = json.writeValueAsString(request);
    String requestId = RequestIdFilter.current();
    try {
      return http.post()
          .uri(path)
          .contentType(MediaType.APPLICATION_JSON)
          .accept(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON)
          .header(HttpHeaders.AUTHORIZATION, "Bearer " + serviceToken())
          .headers(h -> setRequestId(h, requestId))
          .body(body)
          .exchange(
              (req, res) -> {
                int status = res.getStatusCode().value();
                byte[] content = res.getBody().readAllBytes();
                if (status == 200 || status == 201) {
                  return new HistoryApi.Outcome<>(json.readValue(content, type), status == 201);
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
