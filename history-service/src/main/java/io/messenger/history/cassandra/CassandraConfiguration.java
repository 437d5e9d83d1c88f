package io.messenger.history.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Applies the schema before any store starts. */
@Configuration(proxyBeanMethods = false)
class CassandraConfiguration {

  @Bean
  Keyspace keyspace(CqlSession session, KeyspaceProperties properties) {
    new SchemaMigrator(session, properties).migrate();
    return new Keyspace(properties.keyspace());
  }
}
