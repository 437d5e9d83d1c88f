package io.messenger.sync.history;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The way to the history-service.
 *
 * @param baseUrl its base URL, e.g. {@code http://127.0.0.1:8082}
 * @param timeout connect and response timeout of one call, and the longest wait for a free pooled
 *     connection (default 5 s)
 * @param maxConnections the most keep-alive connections kept open to it (default 64): at most that
 *     many calls are in flight at once, the others wait for a connection (up to {@code timeout})
 * @param circuitBreaker when client writes stop calling it for a while (see {@link CircuitBreaker})
 */
@Validated
@ConfigurationProperties("messenger.history")
public record HistoryProperties(
    @NotNull URI baseUrl,
    @NotNull Duration timeout,
    @Positive Integer maxConnections,
    @Valid CircuitBreaker circuitBreaker) {
  public HistoryProperties {
    timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
    maxConnections = maxConnections == null ? 64 : maxConnections;
    circuitBreaker = circuitBreaker == null ? CircuitBreaker.DEFAULTS : circuitBreaker;
  }

  /**
   * The circuit breaker around the client writes' calls. Failures are what answers 503 today
   * (unreachable, timeout, 5xx, refused service token, an unreadable answer); a 4xx problem is an
   * answer, not a failure. When at least {@code failureRatePercent} of the calls of the last {@code
   * window} failed (and there were at least {@code minimumCalls}), the breaker opens: writes answer
   * 503 {@code store-unavailable} at once, without a call, for {@code openFor}; then {@code
   * halfOpenCalls} trial calls decide whether it closes or opens again.
   *
   * @param failureRatePercent failed share of the window's calls that opens it (default 50)
   * @param window how far back the failure rate looks, whole seconds (default 10 s)
   * @param minimumCalls calls in the window before the rate counts (default 20)
   * @param openFor how long it stays open before trial calls (default 2 s)
   * @param halfOpenCalls trial calls while half-open (default 4)
   */
  public record CircuitBreaker(
      @Positive @Max(100) Integer failureRatePercent,
      @NotNull Duration window,
      @Positive Integer minimumCalls,
      @NotNull Duration openFor,
      @Positive Integer halfOpenCalls) {

    static final CircuitBreaker DEFAULTS = new CircuitBreaker(null, null, null, null, null);

    public CircuitBreaker {
      failureRatePercent = failureRatePercent == null ? 50 : failureRatePercent;
      window = window == null ? Duration.ofSeconds(10) : window;
      minimumCalls = minimumCalls == null ? 20 : minimumCalls;
      openFor = openFor == null ? Duration.ofSeconds(2) : openFor;
      halfOpenCalls = halfOpenCalls == null ? 4 : halfOpenCalls;
    }
  }
}
