package io.messenger.sync.history;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.messenger.support.problem.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The circuit breaker of the client writes to the history-service (Resilience4j), configured by
 * {@code messenger.history.circuit-breaker.*} and exported through Resilience4j's Micrometer
 * binder: {@code resilience4j.circuitbreaker.state{name="history", state}} (1 for the current
 * state) beside its calls, failure rate and not-permitted calls.
 *
 * <p>A failure is what the client turns into a 503 (unreachable, timeout, 5xx, a refused service
 * token, an unreadable answer). A relayed 4xx problem counts as a success: the history-service
 * answered, and a client sending invalid writes must not cut the others off.
 */
final class HistoryBreaker {

  static final String NAME = "history";

  private static final Logger log = LoggerFactory.getLogger(HistoryBreaker.class);

  private HistoryBreaker() {}

  static CircuitBreaker create(
      HistoryProperties.CircuitBreaker properties, Clock clock, MeterRegistry meters) {
    CircuitBreakerConfig config =
        CircuitBreakerConfig.custom()
            .slidingWindow(
                (int) Math.max(1, properties.window().toSeconds()),
                properties.minimumCalls(),
                SlidingWindowType.TIME_BASED)
            .failureRateThreshold(properties.failureRatePercent())
            .waitDurationInOpenState(properties.openFor())
            .permittedNumberOfCallsInHalfOpenState(properties.halfOpenCalls())
            .recordException(HistoryBreaker::isFailure)
            .clock(clock)
            .build();
    CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config);
    CircuitBreaker breaker = registry.circuitBreaker(NAME);
    breaker
        .getEventPublisher()
        .onStateTransition(
            e ->
                log.warn(
                    "history circuit breaker {}: {}",
                    e.getStateTransition().getToState(),
                    breaker.getMetrics().getFailureRate() >= 0
                        ? "failure rate " + breaker.getMetrics().getFailureRate() + " %"
                        : "too few calls for a rate"));
    if (meters != null) {
      TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }
    return breaker;
  }

  /** Whether a call's exception counts against the history-service. */
  static boolean isFailure(Throwable failure) {
    return !(failure instanceof ApiException api) || api.status().is5xxServerError();
  }
}
