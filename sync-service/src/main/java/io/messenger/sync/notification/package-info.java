/**
 * {@code POST /internal/v1/users/{id}/notifications}: other back-end services put a {@code system}
 * entry in one user's inbox (inbox only, not history).
 */
package io.messenger.sync.notification;
