package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A user's id as the JWT {@code sub} claim carries it: 1 to 64 characters of {@code [A-Za-z0-9_-]}.
 */
public record UserId(String value) implements Comparable<UserId> {

  public UserId {
    Limits.requireId("userId", value);
  }

  @JsonCreator
  public static UserId of(String value) {
    return new UserId(value);
  }

  @JsonValue
  @Override
  public String value() {
    return value;
  }

  @Override
  public int compareTo(UserId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
