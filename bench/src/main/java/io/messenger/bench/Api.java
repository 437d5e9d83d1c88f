package io.messenger.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The two services' HTTP API as the benchmark uses it: blocking HTTP/1.1 calls on the JDK's {@code
 * HttpURLConnection}, whose keep-alive cache gives each worker thread its connection back. It costs
 * the driver about half the CPU per call of the JDK's {@code HttpClient} (which the benchmark used
 * until round 8: about 1.9 ms against 0.9 ms per send, measured on one warm stack), CPU that the
 * services under test share on this 2-core machine.
 */
final class Api {

  static {
    // Keep-alive for every worker (the JDK keeps 5 idle connections per destination by default),
    // and no silent second attempt of a POST whose connection failed: such a call is an error.
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", "1024");
    }
    if (System.getProperty("sun.net.http.retryPost") == null) {
      System.setProperty("sun.net.http.retryPost", "false");
    }
  }

  static final JsonMapper JSON = JsonMapper.builder().build();

  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 60_000;

  final String sync;
  final String history;

  Api(String sync, String history) {
    this.sync = sync;
    this.history = history;
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

  /** One exchange: its status, body and the header asked for (or null). */
  private record Exchange(int status, String body, String header) {}

  private Exchange exchange(String method, String url, String token, byte[] body, String header)
      throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setConnectTimeout(CONNECT_TIMEOUT_MS);
    c.setReadTimeout(READ_TIMEOUT_MS);
    c.setRequestMethod(method);
    if (token != null) {
      c.setRequestProperty("Authorization", "Bearer " + token);
    }
    if (body != null) {
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      c.setFixedLengthStreamingMode(body.length);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body);
      }
    }
    int status = c.getResponseCode();
    String text = "";
    // Reading the body to its end and closing the stream returns the connection to the cache.
    try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    return new Exchange(status, text, header == null ? null : c.getHeaderField(header));
  }

  Answer get(String url, String token) throws IOException {
    Exchange e = exchange("GET", url, token, null, null);
    return new Answer(e.status(), e.body());
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

  Answer post(String url, String token, Object body) throws IOException {
    Exchange e = exchange("POST", url, token, JSON.writeValueAsBytes(body), null);
    return new Answer(e.status(), e.body());
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
    Exchange e = exchange("GET", history + "/v1/conversations" + query, token, null, "Link");
    new Answer(e.status(), e.body()).expect(200);
    String next =
        e.header() == null ? null : e.header().replaceFirst(".*[?&]cursor=([^&>]+).*", "$1");
    return new ListPage(JSON.readTree(e.body()).size(), next);
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
