package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stored wire form of inbox entries. At append time an item is written once as the JSON of its
 * {@link EntryDto} without the cursor ({@code {"kind":...}}), because the cursor is the stream id
 * Redis assigns. A pull splices the id in front: {@code {"cursor":"<id>",} + the rest}, which is
 * byte for byte what {@link EntryDto} serializes to with its cursor (the cursor is its first
 * property and the other properties follow in the same order).
 */
final class EntryJson {

  private static final String PREFIX = "{\"cursor\":\"";

  private final ObjectWriter writer;

  EntryJson(JsonMapper json) {
    this.writer = json.writerFor(EntryDto.class);
  }

  /** The stored form of {@code item}: its wire object without a cursor. */
  String body(InboxItem item) {
    return writer.writeValueAsString(EntryDto.of(null, item));
  }

  /** The wire object of the entry {@code cursor} whose stored form is {@code body}. */
  static String withCursor(String cursor, String body) {
    if (body.length() < 2 || body.charAt(0) != '{' || body.charAt(1) == '}') {
      throw new IllegalStateException("inbox entry " + cursor + " has a malformed stored body");
    }
    return new StringBuilder(PREFIX.length() + cursor.length() + body.length() + 1)
        .append(PREFIX)
        .append(cursor)
        .append("\",")
        .append(body, 1, body.length())
        .toString();
  }

  /** The wire object of {@code entry}, through {@link #body} (the stored form) and a splice. */
  WireEntry wire(InboxEntry entry) {
    String cursor = entry.cursor().toString();
    return new WireEntry(entry.cursor(), withCursor(cursor, body(entry.item())));
  }

  /** For cursors this store does not split: {@code cursor} already parsed by the caller. */
  static WireEntry wire(InboxCursor cursor, String cursorText, String body) {
    return new WireEntry(cursor, withCursor(cursorText, body));
  }
}
