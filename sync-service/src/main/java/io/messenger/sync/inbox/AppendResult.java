package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;

/**
 * The outcome of appending one item to one user's inbox.
 *
 * @param user whose inbox
 * @param added {@code false} when the item's dedupe key was already there (nothing was appended)
 * @param cursor the new entry's cursor, or the inbox head when nothing was appended
 */
public record AppendResult(UserId user, boolean added, InboxCursor cursor) {}
