package io.messenger.history.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
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

  @Bean
  Keyspace keyspace(CqlSession session, KeyspaceProperties properties) {
    new SchemaMigrator(session, properties).migrate();
    return new Keyspace(properties.keyspace());
  }
}
