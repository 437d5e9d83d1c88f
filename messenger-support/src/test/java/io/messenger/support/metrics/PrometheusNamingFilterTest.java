package io.messenger.support.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.support.metrics.PrometheusNamingSupport.PrometheusNamingFilter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class PrometheusNamingFilterTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  PrometheusNamingFilterTest() {
    meters.config().meterFilter(new PrometheusNamingFilter());
  }

  @Test
  void camelCaseBecomesSnakeCase() {
    assertThat(
            PrometheusNamingFilter.snakeCase(
                "spring.security.filterchains.AuthenticationFilter.after"))
        .isEqualTo("spring.security.filterchains.authentication_filter.after");
    assertThat(PrometheusNamingFilter.snakeCase("a.OAuth2ProtectedResourceMetadataFilter"))
        .isEqualTo("a.o_auth2_protected_resource_metadata_filter");
    assertThat(PrometheusNamingFilter.snakeCase("messenger.sync.pull"))
        .isEqualTo("messenger.sync.pull");
  }

  @Test
  void everyMeterGetsHelpTextAndCountGaugesAreRenamed() {
    meters.counter("messenger.sync.ack.writes");
    Gauge.builder("system.cpu.count", () -> 2).register(meters);

    assertThat(meters.get("messenger.sync.ack.writes").counter().getId().getDescription())
        .isEqualTo("messenger.sync.ack.writes");
    assertThat(meters.find("system.cpu.count").gauge()).isNull();
    assertThat(meters.get("system.cpu.number").gauge().value()).isEqualTo(2.0);
  }

  @Test
  void metersInAbbreviatedUnitsAreDropped() {
    FunctionCounter.builder("jvm.compilation.time", this, x -> 1.0).baseUnit("ms").register(meters);

    assertThat(meters.find("jvm.compilation.time").meters()).isEmpty();
  }
}
