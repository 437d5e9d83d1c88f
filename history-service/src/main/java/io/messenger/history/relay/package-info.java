/**
 * The history side of the delivery relay: the marks the write path leaves before it logs, and the
 * sweep that hands the sync-service's relay workers the logged events to deliver again (and repairs
 * their read tables). See docs/architecture.md, "The delivery relay".
 */
package io.messenger.history.relay;
