package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One device of a user, as the JWT {@code did} claim carries it: 1 to 64 characters of {@code
 * [A-Za-z0-9_-]}. Each device has its own server-side inbox cursor.
 */
public record DeviceId(String value) {

  public DeviceId {
    Limits.requireId("deviceId", value);
  }

  @JsonCreator
  public static DeviceId of(String value) {
    return new DeviceId(value);
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
