package io.messenger.history.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import io.messenger.history.HistoryMetrics;
import io.messenger.support.problem.ProblemAdvice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

class CassandraProblemsTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final CassandraProblems problems = new CassandraProblems(new ProblemAdvice(), meters);

  @Test
  void aConnectionLostMidRequestIsAServiceUnavailableNotAnInternalError() {
    // What a statement the driver may not send again fails with when its node is SIGKILLed.
    ResponseEntity<Object> answer =
        problems.unavailable(new ClosedConnectionException("Unexpected error on channel"));

    assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
    assertThat(answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
    assertThat(
            meters
                .counter(HistoryMetrics.STORE_ERRORS, "store", "cassandra", "kind", "connection")
                .count())
        .isEqualTo(1.0);
  }

  @Test
  void kindsAreBounded() {
    assertThat(CassandraProblems.kind(new DriverTimeoutException("slow"))).isEqualTo("timeout");
    assertThat(CassandraProblems.kind(new NoNodeAvailableException())).isEqualTo("unavailable");
    assertThat(CassandraProblems.kind(new ClosedConnectionException("gone")))
        .isEqualTo("connection");
  }
}
