package io.messenger.model;

import java.util.Objects;

/**
 * An item as stored in a user's inbox, at {@code cursor}. Entries of one inbox are ordered by
 * cursor; a pull returns those strictly after the cursor it is given.
 */
public record InboxEntry(InboxCursor cursor, InboxItem item) {

  public InboxEntry {
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(item, "item");
  }
}
