package io.messenger.history.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.messenger.history.support.HistoryIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The schema migrator against the keyspace the app migrated at start-up: a second run applies
 * nothing, and a file whose checksum no longer matches the one recorded when it was applied stops
 * the start.
 */
@HistoryIT
class SchemaMigratorIT {

  private static final String VERSION = "V001";

  @Autowired CqlSession session;
  @Autowired KeyspaceProperties properties;

  @Test
  void aSecondRunAppliesNothing() {
    assertThat(new SchemaMigrator(session, properties).migrate()).isEmpty();
  }

  @Test
  void aMigrationEditedAfterItWasAppliedStopsTheStart() {
    String recorded = checksum();
    assertThat(recorded).hasSize(64);
    // As if V001__history.cql had been edited since: the recorded checksum is another file's.
    setChecksum("0".repeat(64));
    try {
      assertThatThrownBy(() -> new SchemaMigrator(session, properties).migrate())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("V001__history.cql")
          .hasMessageContaining("changed after it was applied");
    } finally {
      setChecksum(recorded); // the keyspace is shared by every test class of this JVM
    }
    assertThat(new SchemaMigrator(session, properties).migrate()).isEmpty();
  }

  private String checksum() {
    Row row =
        session
            .execute(
                SimpleStatement.newInstance(
                    "SELECT checksum FROM "
                        + properties.keyspace()
                        + ".schema_migrations WHERE version = ?",
                    VERSION))
            .one();
    assertThat(row).as("V001 recorded").isNotNull();
    return row.getString("checksum");
  }

  private void setChecksum(String checksum) {
    session.execute(
        SimpleStatement.newInstance(
            "UPDATE "
                + properties.keyspace()
                + ".schema_migrations SET checksum = ? WHERE version = ?",
            checksum,
            VERSION));
  }
}
