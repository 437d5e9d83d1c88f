package io.messenger.support.security;

import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import java.util.Objects;

/**
 * The authenticated client behind a {@code /v1} request: the token's {@code sub} and {@code did}.
 * Declare it as a controller method parameter to receive it.
 */
public record Caller(UserId userId, DeviceId deviceId) {
  public Caller {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(deviceId, "deviceId");
  }
}
