package io.messenger.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.messenger.support.problem.ProblemAdvice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

class StoreFailureAdviceTest {

  @RestController
  static class Failing {
    @GetMapping("/redis-down")
    String fail() {
      throw new RedisConnectionFailureException("Unable to connect to Redis");
    }
  }

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private final MockMvc mvc =
      MockMvcBuilders.standaloneSetup(new Failing())
          .setControllerAdvice(new ProblemAdvice(), new StoreFailureAdvice(meters))
          .build();

  @Test
  void aRedisFailureIsA503WithRetryAfterNotA500() throws Exception {
    mvc.perform(get("/redis-down"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(header().string("Retry-After", "1"))
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:store-unavailable"));
    assertThat(
            meters
                .counter(SyncMetrics.STORE_ERRORS, "store", "redis", "kind", "connection")
                .count())
        .isEqualTo(1.0);
  }
}
