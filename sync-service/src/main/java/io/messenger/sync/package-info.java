/**
 * The sync-service: every client write (sent on to the history-service, then fanned out to
 * inboxes), inbox pulls with long-poll, and acks. Shared here: Redis call helpers, the
 * store-failure advice, the metric names ({@link io.messenger.sync.SyncMetrics}).
 */
package io.messenger.sync;
