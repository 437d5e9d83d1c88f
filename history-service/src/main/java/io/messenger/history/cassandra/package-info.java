/**
 * The Cassandra session, the keyspace and its versioned CQL migrations applied at start-up, driver
 * failures as 503 problems, and helpers for asynchronous statements.
 */
package io.messenger.history.cassandra;
