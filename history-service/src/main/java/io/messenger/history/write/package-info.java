/**
 * The write path: a message or operation the sync-service makes durable ({@code POST
 * /internal/v1/conversations/{cid}/messages}, {@code /operations}) gets its seq in the event log by
 * group commit, then is projected to the read tables (docs/architecture.md, "The path of a send").
 */
package io.messenger.history.write;
