package io.messenger.sync.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  @Test
  void defaultsAreTwentyWritesPerUserAndTenPullsPerDevice() {
    RateLimitProperties defaults = new RateLimitProperties(null, null, null, null, null, null);
    assertThat(defaults.enabled()).isTrue();
    assertThat(defaults.writes()).isEqualTo(new RateLimitProperties.Limit(20.0, 100));
    assertThat(defaults.pulls()).isEqualTo(new RateLimitProperties.Limit(10.0, 50));
    assertThat(defaults.acks()).isEqualTo(new RateLimitProperties.Limit(50.0, 200));
  }

  @Test
  void aPartlyConfiguredLimitKeepsTheOtherDefault() {
    RateLimitProperties properties =
        new RateLimitProperties(
            null, null, new RateLimitProperties.Limit(null, 30), null, null, null);
    assertThat(properties.pulls()).isEqualTo(new RateLimitProperties.Limit(10.0, 30));
  }

  @Test
  void aBurstPassesThenTheNextRequestWaitsForOneRefill() {
    RateLimiter limiter =
        new RateLimiter(new RateLimitProperties.Limit(2.0, 3), Duration.ofMinutes(1), 100);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("alice")).isNull();
    }
    Duration wait = limiter.tryAcquire("alice");
    assertThat(wait).isNotNull().isPositive().isLessThanOrEqualTo(Duration.ofMillis(500));
    // buckets are per key: bob is not affected by alice
    assertThat(limiter.tryAcquire("bob")).isNull();
  }
}
