package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The kind of an inbox entry: {@code message}, {@code operation} or {@code system}. */
public enum EntryKind {
  MESSAGE,
  OPERATION,
  SYSTEM;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
