package io.messenger.history.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.messenger.model.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Applies the versioned CQL files {@code classpath:db/cql/V<nnn>__<name>.cql} in order, each once,
 * recording each in {@code <keyspace>.schema_migrations} with its checksum. Creates the keyspace
 * first with the configured replication. Every statement is idempotent ({@code IF NOT EXISTS}), so
 * two instances starting together are safe. Each schema change waits for schema agreement across
 * the ring before the next statement. A file whose checksum changed after it was applied stops the
 * start: applied migrations are never edited, a new file is added instead.
 */
public final class SchemaMigrator {

  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);
  private static final String LOCATION = "classpath:db/cql/V*.cql";
  private static final long AGREEMENT_WAIT_SECONDS = 60;

  private final CqlSession session;
  private final KeyspaceProperties properties;

  public SchemaMigrator(CqlSession session, KeyspaceProperties properties) {
    this.session = session;
    this.properties = properties;
  }

  /** Brings the keyspace up to the newest version; returns the versions applied now. */
  public List<String> migrate() {
    String ks = properties.keyspace();
    ddl(
        SimpleStatement.newInstance(
            "CREATE KEYSPACE IF NOT EXISTS "
                + ks
                + " WITH replication = "
                + properties.replication()
                + " AND durable_writes = true"));
    ddl(
        SimpleStatement.newInstance(
            "CREATE TABLE IF NOT EXISTS "
                + ks
                + ".schema_migrations (version text PRIMARY KEY, checksum text, applied_at timestamp)"));
    List<String> applied = new ArrayList<>();
    for (Resource file : files()) {
      String name = file.getFilename();
      String version = name.substring(0, name.indexOf("__"));
      String text = read(file);
      String checksum = Sha256.hex(text);
      Row done =
          session
              .execute(
                  SimpleStatement.newInstance(
                      "SELECT checksum FROM " + ks + ".schema_migrations WHERE version = ?",
                      version))
              .one();
      if (done != null) {
        if (!checksum.equals(done.getString("checksum"))) {
          throw new IllegalStateException(
              "schema migration " + name + " changed after it was applied; add a new file instead");
        }
        continue;
      }
      for (String statement : statements(text.replace("${keyspace}", ks))) {
        ddl(SimpleStatement.newInstance(statement).setIdempotent(true));
      }
      session.execute(
          SimpleStatement.newInstance(
              "INSERT INTO "
                  + ks
                  + ".schema_migrations (version, checksum, applied_at) VALUES (?, ?, ?)",
              version,
              checksum,
              Instant.now()));
      log.info("applied schema migration {}", name);
      applied.add(version);
    }
    return applied;
  }

  /**
   * Runs a schema change and returns once every node of the ring that is up has the new schema: the
   * driver waits for agreement itself (up to {@code
   * advanced.control-connection.schema-agreement.timeout}, 10 s) and says in the execution info
   * whether it was reached; if not (a loaded ring), this keeps asking for up to {@value
   * #AGREEMENT_WAIT_SECONDS} s more, so that the next statement (a table in the new keyspace, or
   * the first prepared statement) never reaches a node that does not know the schema yet.
   */
  private void ddl(SimpleStatement statement) {
    boolean agreed = session.execute(statement).getExecutionInfo().isSchemaInAgreement();
    long deadline = System.nanoTime() + AGREEMENT_WAIT_SECONDS * 1_000_000_000L;
    while (!agreed && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for schema agreement", e);
      }
      agreed = session.checkSchemaAgreement();
    }
    if (!agreed) {
      throw new IllegalStateException(
          "no schema agreement within "
              + AGREEMENT_WAIT_SECONDS
              + " s after: "
              + statement.getQuery());
    }
  }

  /** Splits a CQL file into statements: {@code --} comments dropped, {@code ;} ends a statement. */
  static List<String> statements(String text) {
    StringBuilder current = new StringBuilder();
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().strip();
        out.add(statement.substring(0, statement.length() - 1).strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static List<Resource> files() {
    try {
      Resource[] found = new PathMatchingResourcePatternResolver().getResources(LOCATION);
      return Arrays.stream(found).sorted(Comparator.comparing(Resource::getFilename)).toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list schema migrations", e);
    }
  }

  private static String read(Resource file) {
    try (InputStream in = file.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file.getFilename(), e);
    }
  }
}
