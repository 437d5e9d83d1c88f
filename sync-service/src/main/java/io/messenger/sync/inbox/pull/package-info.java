/**
 * {@code GET /v1/sync}: the HTTP side of a pull ({@link
 * io.messenger.sync.inbox.pull.InboxController}), its rules ({@link
 * io.messenger.sync.inbox.pull.PullService}) and its pre-rendered JSON answer, written at once or
 * when a parked long-poll is woken.
 */
package io.messenger.sync.inbox.pull;
