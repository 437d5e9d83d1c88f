package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import java.util.Objects;

/**
 * One inbox entry as it goes on the wire: its cursor, and the complete JSON object of {@link
 * EntryDto} (cursor included), spliced together from the form stored at append time. A pull copies
 * these into its answer instead of parsing the stored item and serializing it again.
 *
 * @param cursor the entry's cursor (its stream id)
 * @param json the entry as a JSON object, exactly what {@link EntryDto} serializes to
 */
record WireEntry(InboxCursor cursor, String json) {

  WireEntry {
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(json, "json");
  }
}
