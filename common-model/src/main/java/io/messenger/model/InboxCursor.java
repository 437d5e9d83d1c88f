package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.regex.Pattern;

/**
 * A position in one user's inbox: the id of a Redis stream entry, {@code <millis>-<sequence>}.
 * Clients treat it as opaque; the server compares cursors numerically. {@link #ZERO} is before
 * every entry.
 */
public record InboxCursor(long millis, long sequence) implements Comparable<InboxCursor> {

  private static final Pattern FORMAT =
      Pattern.compile("(0|[1-9][0-9]{0,18})-(0|[1-9][0-9]{0,18})");

  /** The position before the first entry of any inbox. */
  public static final InboxCursor ZERO = new InboxCursor(0, 0);

  public InboxCursor {
    if (millis < 0 || sequence < 0) {
      throw new IllegalArgumentException("cursor parts must not be negative");
    }
  }

  /**
   * Parses a cursor, refusing anything that is not exactly {@code <millis>-<sequence>} with both
   * parts non-negative 64-bit integers without leading zeros.
   *
   * @throws IllegalArgumentException when the text is not a well-formed cursor
   */
  @JsonCreator
  public static InboxCursor parse(String text) {
    if (text == null || !FORMAT.matcher(text).matches()) {
      throw new IllegalArgumentException("malformed cursor");
    }
    int dash = text.indexOf('-');
    try {
      return new InboxCursor(
          Long.parseLong(text.substring(0, dash)), Long.parseLong(text.substring(dash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed cursor", e);
    }
  }

  /** Whether {@code text} is a well-formed cursor. */
  public static boolean isWellFormed(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public boolean isBefore(InboxCursor other) {
    return compareTo(other) < 0;
  }

  public boolean isAfter(InboxCursor other) {
    return compareTo(other) > 0;
  }

  @Override
  public int compareTo(InboxCursor other) {
    int byMillis = Long.compareUnsigned(millis, other.millis);
    return byMillis != 0 ? byMillis : Long.compareUnsigned(sequence, other.sequence);
  }

  @JsonValue
  @Override
  public String toString() {
    return millis + "-" + sequence;
  }
}
