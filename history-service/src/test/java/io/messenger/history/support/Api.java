package io.messenger.history.support;

import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.support.security.Tokens;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests: real requests with real tokens, answers as JSON trees. */
public final class Api {

  private final RestClient http;
  private final Tokens tokens;
  private final JsonMapper json = JsonMapper.builder().build();

  public Api(int port, Tokens tokens) {
    this.http =
        RestClient.builder()
            .baseUrl("http://127.0.0.1:" + port)
            .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {})
            .build();
    this.tokens = tokens;
  }

  /** An answer: status and body. */
  public record Answer(int status, JsonNode body, HttpHeaders headers) {}

  public static String uniqueUser(String name) {
    return name + "_" + UUID.randomUUID().toString().substring(0, 8);
  }

  public String clientToken(String user, String device) {
    return tokens.client(UserId.of(user), DeviceId.of(device), Duration.ofHours(1));
  }

  public String serviceToken() {
    return tokens.service("test");
  }

  public Answer post(String path, String token, Map<String, ?> body) {
    return http.post()
        .uri(path)
        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
        .contentType(MediaType.APPLICATION_JSON)
        .body(json.writeValueAsString(body))
        .exchange(
            (req, res) ->
                answer(res.getStatusCode().value(), res.bodyTo(String.class), res.getHeaders()));
  }

  public Answer get(String path, String token) {
    return http.get()
        .uri(path)
        .headers(
            h -> {
              if (token != null) {
                h.set(HttpHeaders.AUTHORIZATION, "Bearer " + token);
              }
            })
        .exchange(
            (req, res) ->
                answer(res.getStatusCode().value(), res.bodyTo(String.class), res.getHeaders()));
  }

  private Answer answer(int status, String body, HttpHeaders headers) {
    boolean isJson = body != null && (body.startsWith("{") || body.startsWith("["));
    return new Answer(status, isJson ? json.readTree(body) : null, headers);
  }
}
