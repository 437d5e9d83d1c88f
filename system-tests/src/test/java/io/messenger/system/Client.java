package io.messenger.system;

import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.support.security.SecurityProperties;
import io.messenger.support.security.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One device of one user, talking HTTP to the services as a mobile client would. */
final class Client {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Tokens TOKENS =
      new Tokens(
          new SecurityProperties(
              new SecurityProperties.Jwt(SystemUnderTest.CLIENT_SECRET, null, null),
              new SecurityProperties.Internal(SystemUnderTest.INTERNAL_SECRET, null)),
          Clock.systemUTC());

  final String user;
  final String device;
  private final String token;

  Client(String user, String device) {
    this.user = user;
    this.device = device;
    this.token = TOKENS.client(UserId.of(user), DeviceId.of(device), Duration.ofHours(1));
  }

  /** An answer: status, body (null when empty) and the Retry-After header. */
  record Answer(int status, JsonNode body, String retryAfter) {
    JsonNode get(String field) {
      return body.get(field);
    }
  }

  Answer post(ServiceProcess service, String path, Object body) {
    return send(
        service,
        HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  /** An answer with its {@code Link} header (null when absent). */
  record Linked(int status, JsonNode body, String link) {}

  /** {@link #get}, keeping the {@code Link} header: the paged conversation list. */
  Linked getLinked(ServiceProcess service, String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(40))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Linked(
          response.statusCode(),
          JSON.readTree(response.body()),
          response.headers().firstValue("Link").orElse(null));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  Answer get(ServiceProcess service, String path) {
    return send(service, HttpRequest.newBuilder(URI.create(service.baseUrl() + path)).GET());
  }

  private Answer send(ServiceProcess service, HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              request
                  .header("Authorization", "Bearer " + token)
                  .timeout(Duration.ofSeconds(40))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      String text = response.body();
      return new Answer(
          response.statusCode(),
          text == null || text.isBlank() ? null : JSON.readTree(text),
          response.headers().firstValue("Retry-After").orElse(null));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
