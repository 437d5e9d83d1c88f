package io.messenger.sync.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for the history-service's internal API: answers each call with whatever the current
 * {@link #answer(Function)} says, and records the calls it got.
 */
public final class StubHistory implements AutoCloseable {

  /** One call: method, path and body. */
  public record Call(String method, String path, String body, String authorization) {}

  /** One answer: status and JSON body. */
  public record Reply(int status, String body) {
    public static Reply of(int status, String body) {
      return new Reply(status, body);
    }
  }

  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private volatile Function<Call, Reply> answer = call -> Reply.of(500, "{}");

  public StubHistory() {
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/",
        exchange -> {
          Call call =
              new Call(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                  exchange.getRequestHeaders().getFirst("Authorization"));
          calls.add(call);
          Reply reply = answer.apply(call);
          byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
          exchange
              .getResponseHeaders()
              .set(
                  "Content-Type",
                  reply.status() >= 400 ? "application/problem+json" : "application/json");
          exchange.sendResponseHeaders(reply.status(), out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public void answer(Function<Call, Reply> answer) {
    this.answer = answer;
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public void reset() {
    calls.clear();
    answer = call -> Reply.of(500, "{}");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
