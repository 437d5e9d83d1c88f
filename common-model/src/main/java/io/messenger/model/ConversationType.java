package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The kind of a conversation. A {@code direct} conversation has exactly two members and exists once
 * per pair of users; a {@code group} has one or more members up to the configured maximum.
 */
public enum ConversationType {
  DIRECT,
  GROUP;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static ConversationType fromWire(String value) {
    for (ConversationType type : values()) {
      if (type.wireName().equals(value)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown conversation type: " + value);
  }
}
