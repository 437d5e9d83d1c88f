package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The four operations a member can make on a conversation, by their wire names. */
public enum OperationType {
  /** Hide one message from the caller's own views (inbox and history) only. */
  DELETE_FOR_ME,
  /** Delete one of the caller's own messages for everyone, within the recall window. */
  RECALL,
  /** Replace the text of one of the caller's own messages. */
  EDIT,
  /** Move the caller's read marker forward. */
  READ;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static OperationType fromWire(String value) {
    for (OperationType type : values()) {
      if (type.wireName().equals(value)) {
        return type;
      }
    }
    throw new IllegalArgumentException("unknown operation type: " + value);
  }
}
