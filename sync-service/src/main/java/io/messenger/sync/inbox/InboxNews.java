package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import io.messenger.model.Limits;
import io.messenger.model.UserId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What {@code append.lua} publishes on {@value InboxStore#NEWS_CHANNEL} for every entry it adds:
 * {@code <userId>\n<previous>\n<id>\n<body>}, where {@code previous} is the entry before it in the
 * same incarnation (empty for the first) and {@code body} its stored wire form (empty when larger
 * than {@link #MAX_BODY_BYTES}). A long-poll parked exactly at {@code previous} can answer with
 * this one entry without reading the inbox again; any other waiter re-reads.
 *
 * @param user whose inbox grew
 * @param previous the entry before the new one, or {@code null} when it is the first of its
 *     incarnation
 * @param entry the new entry's cursor
 * @param body the new entry's stored wire form, or {@code null} when it was not carried
 */
public record InboxNews(UserId user, InboxCursor previous, InboxCursor entry, byte[] body) {

  /** Bodies up to this size (UTF-8 bytes) travel in the news; larger ones are re-read. */
  static final int MAX_BODY_BYTES = 16 * 1024;

  /** Parses a news payload; {@code null} when it is not one (it is then ignored). */
  public static InboxNews parse(byte[] payload) {
    int a = indexOf(payload, 0);
    int b = a < 0 ? -1 : indexOf(payload, a + 1);
    int c = b < 0 ? -1 : indexOf(payload, b + 1);
    if (c < 0) {
      return null;
    }
    String user = ascii(payload, 0, a);
    if (!Limits.isValidId(user)) {
      return null;
    }
    try {
      InboxCursor previous = a + 1 == b ? null : InboxCursor.parse(ascii(payload, a + 1, b));
      InboxCursor entry = InboxCursor.parse(ascii(payload, b + 1, c));
      byte[] body =
          c + 1 == payload.length ? null : Arrays.copyOfRange(payload, c + 1, payload.length);
      return new InboxNews(UserId.of(user), previous, entry, body);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * The answer to a long-poll that found nothing after {@code cursor}, when this news alone is what
   * follows it; {@code null} when the waiter must read the inbox instead.
   */
  public WireEntry soleEntryAfter(InboxCursor cursor) {
    if (body == null || previous == null || !previous.equals(cursor)) {
      return null;
    }
    try {
      return EntryJson.wire(entry, body);
    } catch (IllegalStateException e) {
      return null; // not a body this service wrote: read the inbox instead
    }
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static String ascii(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.ISO_8859_1);
  }
}
