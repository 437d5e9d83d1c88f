package io.messenger.support.security;

import io.messenger.model.DeviceId;
import io.messenger.model.Limits;
import io.messenger.model.UserId;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Mints tokens for local runs: {@code POST /dev/tokens {userId, deviceId}} gives a client token,
 * {@code {service: "name"}} a service token. Only present when {@code
 * messenger.dev.token-endpoint.enabled=true} (the {@code local} profile); never enable it in
 * production.
 */
@RestController
class DevTokenController {

  private final Tokens tokens;

  DevTokenController(Tokens tokens) {
    this.tokens = tokens;
  }

  record TokenRequest(
      @Pattern(regexp = Limits.ID_REGEX) String userId,
      @Pattern(regexp = Limits.ID_REGEX) String deviceId,
      @Pattern(regexp = Limits.ID_REGEX) String service,
      @Min(60) @Max(2_592_000) Long ttlSeconds) {}

  @PostMapping("/dev/tokens")
  Map<String, String> mint(@Valid @RequestBody @NotNull TokenRequest request) {
    if (request.service() != null) {
      return Map.of("token", tokens.service(request.service()));
    }
    if (request.userId() == null || request.deviceId() == null) {
      throw new IllegalArgumentException("userId and deviceId (or service) are required");
    }
    Duration ttl = Duration.ofSeconds(request.ttlSeconds() == null ? 86_400 : request.ttlSeconds());
    return Map.of(
        "token", tokens.client(UserId.of(request.userId()), DeviceId.of(request.deviceId()), ttl));
  }
}
