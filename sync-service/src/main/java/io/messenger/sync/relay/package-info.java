/**
 * The delivery relay: workers that lease shards of the history-service's relay marks and deliver
 * again every logged event an interrupted fan-out may have missed (docs/architecture.md, "The
 * delivery relay").
 */
package io.messenger.sync.relay;
