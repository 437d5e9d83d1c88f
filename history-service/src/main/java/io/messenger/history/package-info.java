/**
 * The history-service: the durable record on Cassandra, keyed by conversation. A send is in {@code
 * write}, a page read and the conversation list in {@code read}, members in {@code conversation},
 * the relay's side in {@code relay}. Shared here: the metric names ({@link
 * io.messenger.history.HistoryMetrics}).
 */
package io.messenger.history;
