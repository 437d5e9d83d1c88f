package io.messenger.history.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.connection.BusyConnectionException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.connection.HeartbeatException;
import com.datastax.oss.driver.api.core.servererrors.QueryExecutionException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.UnavailableException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import io.messenger.history.HistoryMetrics;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemAdvice;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Cassandra unreachable, overloaded or timing out is a 503 with {@code Retry-After}: the client
 * retries with the same client id, which is safe because every write is idempotent. Each one is
 * counted as {@value HistoryMetrics#STORE_ERRORS} ({@code store=cassandra}, a bounded {@code
 * kind}).
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class CassandraProblems {

  private final ProblemAdvice problems;
  private final MeterRegistry meters;

  CassandraProblems(ProblemAdvice problems, MeterRegistry meters) {
    this.problems = problems;
    this.meters = meters;
  }

  @ExceptionHandler({
    AllNodesFailedException.class,
    DriverTimeoutException.class,
    QueryExecutionException.class,
    ClosedConnectionException.class,
    HeartbeatException.class,
    BusyConnectionException.class
  })
  ResponseEntity<Object> unavailable(RuntimeException e) {
    meters.counter(HistoryMetrics.STORE_ERRORS, "store", "cassandra", "kind", kind(e)).increment();
    return problems.api(
        ApiException.unavailable("the history store is unavailable", Duration.ofSeconds(1), e));
  }

  /**
   * {@code timeout}, {@code unavailable}, {@code connection} (the node's connection was lost or
   * saturated while the request was on it: a node killed mid-request, for a statement the driver
   * may not send again) or {@code other}: bounded, never the message.
   */
  static String kind(RuntimeException e) {
    if (e instanceof DriverTimeoutException
        || e instanceof ReadTimeoutException
        || e instanceof WriteTimeoutException) {
      return "timeout";
    }
    if (e instanceof AllNodesFailedException || e instanceof UnavailableException) {
      return "unavailable";
    }
    if (e instanceof ClosedConnectionException
        || e instanceof HeartbeatException
        || e instanceof BusyConnectionException) {
      return "connection";
    }
    return "other";
  }
}
