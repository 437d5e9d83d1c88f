package io.messenger.sync;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import java.time.Duration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * How Lettuce follows a Redis Cluster's topology (only used with {@code
 * spring.data.redis.cluster.nodes}; one Redis ignores it). Adaptive refresh on every trigger
 * (MOVED, ASK, persistent reconnects, uncovered slots, unknown nodes), at most once per {@value
 * #ADAPTIVE_LIMIT_SECONDS} s, and a periodic refresh every {@value #PERIOD_SECONDS} s. Lettuce's
 * default limit of 30 s between adaptive refreshes made a master failover cost up to ~16 s of
 * failed calls: the first refresh, triggered by the reconnects to the dead master, comes before a
 * replica is promoted (cluster-node-timeout plus the election), and the next one was held back for
 * 30 s.
 */
@Configuration(proxyBeanMethods = false)
class RedisClusterOptions {

  static final long ADAPTIVE_LIMIT_SECONDS = 1;
  static final long PERIOD_SECONDS = 30;

  @Bean
  LettuceClientOptionsBuilderCustomizer clusterTopologyRefresh() {
    return builder -> {
      if (builder instanceof ClusterClientOptions.Builder cluster) {
        cluster.topologyRefreshOptions(
            ClusterTopologyRefreshOptions.builder()
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(ADAPTIVE_LIMIT_SECONDS))
                .enablePeriodicRefresh(Duration.ofSeconds(PERIOD_SECONDS))
                .dynamicRefreshSources(true)
                .build());
      }
    };
  }
}
