/**
 * The bodies of the history-service's internal API ({@code /internal/v1/...}, service tokens only),
 * declared once: the history-service's controllers read and write them, the sync-service's client
 * sends and reads them.
 */
package io.messenger.model.internal;
