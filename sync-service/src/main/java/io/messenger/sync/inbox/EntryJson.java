package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stored wire form of inbox entries. At append time an item is written once as the JSON of its
 * {@link EntryDto} without the cursor ({@code {"kind":...}}), because the cursor is the stream id
 * Redis assigns. A pull splices the id in front: {@code {"cursor":"<id>",} + the rest}, which is
 * byte for byte what {@link EntryDto} serializes to with its cursor (the cursor is its first
 * property and the other properties follow in the same order; {@code EntryJsonTest}).
 */
public final class EntryJson {

  private static final byte[] PREFIX = "{\"cursor\":\"".getBytes(StandardCharsets.US_ASCII);

  private final ObjectWriter writer;

  public EntryJson(JsonMapper json) {
    this.writer = json.writerFor(EntryDto.class);
  }

  /** The stored form of {@code item}: its wire object without a cursor, UTF-8. */
  public byte[] body(InboxItem item) {
    return writer.writeValueAsBytes(EntryDto.of(null, item));
  }

  /**
   * The wire object of the entry with stream id {@code id} (ASCII: digits and a dash) whose stored
   * form is {@code body}.
   */
  static byte[] withCursor(byte[] id, byte[] body) {
    if (body.length < 2 || body[0] != '{' || body[1] == '}') {
      throw new IllegalStateException(
          "inbox entry "
              + new String(id, StandardCharsets.US_ASCII)
              + " has a malformed stored body");
    }
    byte[] out = new byte[PREFIX.length + id.length + 2 + body.length - 1];
    int at = 0;
    System.arraycopy(PREFIX, 0, out, at, PREFIX.length);
    at += PREFIX.length;
    System.arraycopy(id, 0, out, at, id.length);
    at += id.length;
    out[at++] = '"';
    out[at++] = ',';
    System.arraycopy(body, 1, out, at, body.length - 1);
    return out;
  }

  /** The wire form of {@code entry}, through {@link #body} (the stored form) and a splice. */
  public WireEntry wire(InboxEntry entry) {
    return wire(entry.cursor(), body(entry.item()));
  }

  /** The wire form of the entry {@code cursor} whose stored form is {@code body}. */
  static WireEntry wire(InboxCursor cursor, byte[] body) {
    return new WireEntry(
        cursor, withCursor(cursor.toString().getBytes(StandardCharsets.US_ASCII), body));
  }
}
