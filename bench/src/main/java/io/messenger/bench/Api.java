package io.messenger.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The two services' HTTP API as the benchmark uses it (one shared JDK client, HTTP/1.1). */
final class Api {

  static final JsonMapper JSON = JsonMapper.builder().build();

  final String sync;
  final String history;
  private final HttpClient http;

  Api(String sync, String history) {
    this.sync = sync;
    this.history = history;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(
                Executors.newFixedThreadPool(
                    8,
                    r -> {
                      Thread t = new Thread(r, "bench-http");
                      t.setDaemon(true);
                      return t;
                    }))
            .build();
  }

  record Answer(int status, String body) {
    JsonNode json() {
      return JSON.readTree(body);
    }

    Answer expect(int... statuses) {
      for (int s : statuses) {
        if (s == status) {
          return this;
        }
      }
      throw new IllegalStateException("HTTP " + status + ": " + abbreviate(body));
    }
  }

  static String abbreviate(String s) {
    return s == null || s.length() < 300 ? s : s.substring(0, 300) + "...";
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  HttpRequest.Builder request(String url, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  Answer get(String url, String token) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(request(url, token).GET().build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  CompletableFuture<Answer> getAsync(String url, String token) {
    return http.sendAsync(request(url, token).GET().build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Answer(r.statusCode(), r.body()));
  }

  /**
   * For set-up calls only: retries a 503 (the services' answer when a store is slow on a loaded
   * machine; every set-up write is idempotent or may simply happen twice) up to 10 times.
   */
  Answer postRetrying(String url, String token, Object body)
      throws IOException, InterruptedException {
    Answer answer = post(url, token, body);
    for (int i = 0; i < 10 && answer.status() == 503; i++) {
      Thread.sleep(1000);
      answer = post(url, token, body);
    }
    return answer;
  }

  Answer post(String url, String token, Object body) throws IOException, InterruptedException {
    HttpRequest req =
        request(url, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  // --- the calls ------------------------------------------------------------------------------

  String token(String user, String device) throws IOException, InterruptedException {
    return postRetrying(
            sync + "/dev/tokens",
            null,
            Map.of("userId", user, "deviceId", device, "ttlSeconds", 86_400))
        .expect(200)
        .json()
        .path("token")
        .asString();
  }

  String createGroup(String token, List<String> others) throws IOException, InterruptedException {
    return postRetrying(
            sync + "/v1/conversations", token, Map.of("type", "group", "members", others))
        .expect(200, 201)
        .json()
        .path("conversationId")
        .asString();
  }

  String createDirect(String token, String other) throws IOException, InterruptedException {
    return postRetrying(
            sync + "/v1/conversations", token, Map.of("type", "direct", "members", List.of(other)))
        .expect(200, 201)
        .json()
        .path("conversationId")
        .asString();
  }

  /** A set-up send: retried on 503 with the same client id (idempotent). */
  long sendRetrying(String token, String cid, String clientMsgId, String text)
      throws IOException, InterruptedException {
    return postRetrying(
            sync + "/v1/conversations/" + cid + "/messages",
            token,
            Map.of("clientMsgId", clientMsgId, "text", text))
        .expect(200, 201)
        .json()
        .path("seq")
        .asLong();
  }

  long send(String token, String cid, String clientMsgId, String text)
      throws IOException, InterruptedException {
    return post(
            sync + "/v1/conversations/" + cid + "/messages",
            token,
            Map.of("clientMsgId", clientMsgId, "text", text))
        .expect(201)
        .json()
        .path("seq")
        .asLong();
  }

  String pullUrl(String cursor, int limit, int waitMs) {
    StringBuilder url = new StringBuilder(sync).append("/v1/sync?limit=").append(limit);
    if (cursor != null) {
      url.append("&cursor=").append(q(cursor));
    }
    if (waitMs > 0) {
      url.append("&waitMs=").append(waitMs);
    }
    return url.toString();
  }

  JsonNode pull(String token, String cursor, int limit) throws IOException, InterruptedException {
    return get(pullUrl(cursor, limit, 0), token).expect(200).json();
  }

  /** A set-up pull: retried on 503. */
  JsonNode pullRetrying(String token, String cursor, int limit)
      throws IOException, InterruptedException {
    Answer answer = get(pullUrl(cursor, limit, 0), token);
    for (int i = 0; i < 10 && answer.status() == 503; i++) {
      Thread.sleep(1000);
      answer = get(pullUrl(cursor, limit, 0), token);
    }
    return answer.expect(200).json();
  }

  void ack(String token, String cursor) throws IOException, InterruptedException {
    post(sync + "/v1/sync/ack", token, Map.of("cursor", cursor)).expect(204);
  }

  /** Acknowledges a large group's news up to {@code seq} (and nothing of the inbox). */
  void ackLargeGroup(String token, String cid, long seq) throws IOException, InterruptedException {
    post(sync + "/v1/sync/ack", token, Map.of("largeGroups", Map.of(cid, seq))).expect(204);
  }

  String page(String cid, String token, String query) throws IOException, InterruptedException {
    return get(history + "/v1/conversations/" + cid + "/messages" + query, token)
        .expect(200)
        .body();
  }

  /** A page of the conversation list ({@code query}: {@code ?limit=...}). */
  String conversations(String token, String query) throws IOException, InterruptedException {
    return get(history + "/v1/conversations" + query, token).expect(200).body();
  }

  /** A page of the conversation list: its size and the cursor its Link header carries (or null). */
  record ListPage(int size, String next) {}

  ListPage conversationsPage(String token, String query) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            request(history + "/v1/conversations" + query, token).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    new Answer(r.statusCode(), r.body()).expect(200);
    String next =
        r.headers()
            .firstValue("Link")
            .map(link -> link.replaceFirst(".*[?&]cursor=([^&>]+).*", "$1"))
            .orElse(null);
    return new ListPage(JSON.readTree(r.body()).size(), next);
  }

  /** The value of a counter or gauge in a service's Prometheus text (summed over its series). */
  double metric(String base, String name) throws IOException, InterruptedException {
    String text = get(base + "/actuator/prometheus", null).expect(200).body();
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        String[] parts = line.trim().split(" ");
        sum += Double.parseDouble(parts[parts.length - 1]);
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }
}
