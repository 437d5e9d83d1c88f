package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.UUID;

/**
 * A conversation's id: 1 to 64 characters of {@code [A-Za-z0-9_-]}. The history-service mints them
 * ({@link #random()}), for direct conversations deterministically from the two members.
 */
public record ConversationId(String value) {

  public ConversationId {
    Limits.requireId("conversationId", value);
  }

  @JsonCreator
  public static ConversationId of(String value) {
    return new ConversationId(value);
  }

  /** A fresh random id ({@code c_} and 32 hex digits). */
  public static ConversationId random() {
    return new ConversationId("c_" + UUID.randomUUID().toString().replace("-", ""));
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
