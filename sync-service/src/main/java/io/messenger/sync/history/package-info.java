/**
 * The client of the history-service's internal API: pooled connections, a service token, a circuit
 * breaker around writes ({@link io.messenger.sync.history.HistoryBreaker}).
 */
package io.messenger.sync.history;
