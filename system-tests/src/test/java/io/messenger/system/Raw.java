package io.messenger.system;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * Raw HTTP for the fuzzer and the authorization matrix: any method, path, header and body bytes
 * (declared length or chunked), and the checks every answer must pass: never a 5xx, and every error
 * an {@code application/problem+json} body whose {@code type} starts with {@code
 * urn:messenger:problem:}.
 */
final class Raw {

  static final AtomicLong SENT = new AtomicLong();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private Raw() {}

  /** One request. {@code token} null: no Authorization header. */
  record Request(
      String method,
      String path,
      String token,
      String contentType,
      byte[] body,
      boolean chunked,
      String authorization) {

    static Request get(String path, String token) {
      return new Request("GET", path, token, null, null, false, null);
    }

    static Request post(String path, String token, String json) {
      return new Request(
          "POST",
          path,
          token,
          "application/json",
          json.getBytes(StandardCharsets.UTF_8),
          false,
          null);
    }

    Request asChunked() {
      return new Request(method, path, token, contentType, body, true, authorization);
    }

    Request contentType(String type) {
      return new Request(method, path, token, type, body, chunked, authorization);
    }

    /** A raw Authorization header value instead of {@code Bearer <token>}. */
    Request authorization(String header) {
      return new Request(method, path, null, contentType, body, chunked, header);
    }

    @Override
    public String toString() {
      String text =
          body == null
              ? ""
              : new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
      return method
          + " "
          + path
          + (chunked ? " (chunked)" : "")
          + " ["
          + contentType
          + "] "
          + (body == null ? "" : body.length + " bytes: " + text);
    }
  }

  /** An answer: status, content type and body. */
  record Answer(int status, String contentType, String body, String retryAfter) {
    JsonNode json() {
      return body == null || body.isBlank() ? null : Client.JSON.readTree(body);
    }

    String problemType() {
      JsonNode json = json();
      return json == null || json.get("type") == null ? null : json.get("type").asString();
    }

    @Override
    public String toString() {
      return status + " " + contentType + " " + (body == null ? "" : body);
    }
  }

  static Answer send(ServiceProcess service, Request request) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(service.baseUrl() + request.path()))
            .timeout(Duration.ofSeconds(40));
    if (request.authorization() != null) {
      builder.header("Authorization", request.authorization());
    } else if (request.token() != null) {
      builder.header("Authorization", "Bearer " + request.token());
    }
    if (request.contentType() != null) {
      builder.header("Content-Type", request.contentType());
    }
    HttpRequest.BodyPublisher body;
    if (request.body() == null) {
      body = HttpRequest.BodyPublishers.noBody();
    } else if (request.chunked()) {
      byte[] bytes = request.body();
      body = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
    } else {
      body = HttpRequest.BodyPublishers.ofByteArray(request.body());
    }
    builder.method(request.method(), body);
    try {
      HttpResponse<String> response =
          HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      SENT.incrementAndGet();
      return new Answer(
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null),
          response.body(),
          response.headers().firstValue("Retry-After").orElse(null));
    } catch (java.io.IOException e) {
      // The server may close the connection on a body it refuses before reading all of it; the
      // answer was then still sent: retry once without the body to see it is not a crash.
      throw new IllegalStateException("no answer to " + request + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Fails unless the answer is a success, or a well-formed problem detail below 500. */
  static void assertWellFormed(Request request, Answer answer) {
    if (answer.status() >= 500) {
      throw new AssertionError("5xx for " + request + " -> " + answer);
    }
    if (answer.status() < 400) {
      return;
    }
    if (answer.contentType() == null
        || !answer.contentType().startsWith("application/problem+json")) {
      throw new AssertionError("not a problem detail for " + request + " -> " + answer);
    }
    String type;
    try {
      type = answer.problemType();
    } catch (RuntimeException e) {
      throw new AssertionError("unreadable problem for " + request + " -> " + answer, e);
    }
    if (type == null || !type.startsWith("urn:messenger:problem:")) {
      throw new AssertionError("problem without our type for " + request + " -> " + answer);
    }
    if ((answer.status() == 429 || answer.status() == 503) && answer.retryAfter() == null) {
      throw new AssertionError("no Retry-After for " + request + " -> " + answer);
    }
  }
}
