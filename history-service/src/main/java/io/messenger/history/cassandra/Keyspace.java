package io.messenger.history.cassandra;

/**
 * The migrated keyspace. Stores take it as a dependency, so the schema is up to date before any of
 * them prepares a statement; {@link #table(String)} qualifies a table name.
 */
public record Keyspace(String name) {
  public String table(String table) {
    return name + "." + table;
  }
}
