package io.messenger.history.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import java.util.List;
import org.springframework.boot.cassandra.autoconfigure.DriverConfigLoaderBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Applies the schema before any store starts, and makes statements idempotent by default.
 *
 * <p>Idempotent statements are what the driver's retry policy may send again to the next node when
 * a request failed on the wire (its coordinator was killed mid-request) or the node answered an
 * error such as overloaded. Every read and every plain write of this service is idempotent: no
 * counters, no list appends, values bound by the caller (the write timestamp is the driver's, kept
 * across its retries). The lightweight transactions that are not are marked so where they are bound
 * ({@code MemberChanges}; the log's consensus round when a write in it has no request row, {@code
 * CassandraEventLog}). Without this, a node killed on a ring with a quorum left still failed the
 * reads and writes it was coordinating at that moment (docs/scaling.md).
 */
@Configuration(proxyBeanMethods = false)
class CassandraConfiguration {

  @Bean
  DriverConfigLoaderBuilderCustomizer idempotentByDefault() {
    return builder -> builder.withBoolean(DefaultDriverOption.REQUEST_DEFAULT_IDEMPOTENCE, true);
  }

  /**
   * The driver's request logger for slow statements ({@code messenger.cassandra.slow-query}): the
   * coordinator, the time and the CQL at INFO, never the bound values (they hold message texts);
   * neither successes nor errors (errors reach our own handlers and metrics).
   */
  @Bean
  DriverConfigLoaderBuilderCustomizer slowQueryLog(KeyspaceProperties properties) {
    return builder -> {
      if (properties.slowQuery() == null || properties.slowQuery().isZero()) {
        return;
      }
      builder
          .withStringList(DefaultDriverOption.REQUEST_TRACKER_CLASSES, List.of("RequestLogger"))
          .withBoolean(DefaultDriverOption.REQUEST_LOGGER_SUCCESS_ENABLED, false)
          .withBoolean(DefaultDriverOption.REQUEST_LOGGER_ERROR_ENABLED, false)
          .withBoolean(DefaultDriverOption.REQUEST_LOGGER_SLOW_ENABLED, true)
          .withDuration(DefaultDriverOption.REQUEST_LOGGER_SLOW_THRESHOLD, properties.slowQuery())
          .withBoolean(DefaultDriverOption.REQUEST_LOGGER_VALUES, false)
          .withInt(DefaultDriverOption.REQUEST_LOGGER_MAX_QUERY_LENGTH, 300);
    };
  }

  @Bean
  Keyspace keyspace(CqlSession session, KeyspaceProperties properties) {
    new SchemaMigrator(session, properties).migrate();
    return new Keyspace(properties.keyspace());
  }
}
