package io.messenger.sync;

import io.messenger.support.problem.ProblemType;
import io.messenger.support.problem.ProblemWriter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Redis failures (connection refused, timeouts, cluster errors) become 503 {@code
 * store-unavailable} with {@code Retry-After: 1}, ahead of the shared advice's generic 500, and are
 * counted as {@value SyncMetrics#STORE_ERRORS} ({@code store=redis}). Public because a parked
 * long-poll, answered outside Spring MVC, uses it for the same answer.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class StoreFailureAdvice {

  private static final Logger log = LoggerFactory.getLogger(StoreFailureAdvice.class);

  private final MeterRegistry meters;
  private final RedisTopology topology;

  public StoreFailureAdvice(MeterRegistry meters) {
    this(meters, RedisTopology.NONE);
  }

  @Autowired
  public StoreFailureAdvice(MeterRegistry meters, RedisTopology topology) {
    this.meters = meters;
    this.topology = topology;
  }

  @ExceptionHandler(DataAccessException.class)
  public ResponseEntity<ProblemDetail> storeFailure(DataAccessException e) {
    StoreErrors.count(meters, StoreErrors.REDIS, e);
    topology.callFailed(); // on a Redis Cluster: a failover may have moved these slots
    log.warn("inbox store unavailable: {}", e.getMessage());
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "1")
        .body(
            ProblemWriter.problem(
                HttpStatus.SERVICE_UNAVAILABLE,
                ProblemType.STORE_UNAVAILABLE,
                "the inbox store is temporarily unavailable"));
  }
}
