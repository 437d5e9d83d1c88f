package io.messenger.history.cassandra;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.QueryExecutionException;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemAdvice;
import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Cassandra unreachable, overloaded or timing out is a 503 with {@code Retry-After}: the client
 * retries with the same client id, which is safe because every write is idempotent.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class CassandraProblems {

  private final ProblemAdvice problems;

  CassandraProblems(ProblemAdvice problems) {
    this.problems = problems;
  }

  @ExceptionHandler({
    AllNodesFailedException.class,
    DriverTimeoutException.class,
    QueryExecutionException.class
  })
  ResponseEntity<Object> unavailable(RuntimeException e) {
    return problems.api(
        ApiException.unavailable("the history store is unavailable", Duration.ofSeconds(1), e));
  }
}
