package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One inbox entry as it goes on the wire: its cursor, and the complete JSON object of {@link
 * EntryDto} (cursor included) as UTF-8 bytes, spliced together from the form stored at append time.
 * A pull copies these bytes into its answer instead of parsing the stored item and serializing it
 * again.
 *
 * @param cursor the entry's cursor (its stream id)
 * @param json the entry as a JSON object, exactly the UTF-8 bytes {@link EntryDto} serializes to
 */
public record WireEntry(InboxCursor cursor, byte[] json) {

  public WireEntry {
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(json, "json");
  }

  /** The JSON as text (tests, logs). */
  public String text() {
    return new String(json, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WireEntry that
        && cursor.equals(that.cursor)
        && Arrays.equals(json, that.json);
  }

  @Override
  public int hashCode() {
    return 31 * cursor.hashCode() + Arrays.hashCode(json);
  }

  @Override
  public String toString() {
    return "WireEntry[" + text() + "]";
  }
}
