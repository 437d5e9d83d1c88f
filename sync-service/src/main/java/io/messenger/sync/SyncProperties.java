package io.messenger.sync;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Pull and ack settings of this instance.
 *
 * @param maxParked how many long-polls may be parked on this instance at once (default 1,500, for
 *     the default heap of 512 MiB: a parked long-poll holds about 130 KiB of it, docs/operations.md
 *     "Memory"); beyond it a long-poll is answered 503 {@code too-many-waiting} with {@code
 *     Retry-After: 1}
 * @param ackFlushInterval how long acks are coalesced in memory before one store write per device
 *     (default 1 s: at most one store write per device per second)
 */
@Validated
@ConfigurationProperties("messenger.sync")
public record SyncProperties(@Positive Integer maxParked, @NotNull Duration ackFlushInterval) {
  public SyncProperties {
    maxParked = maxParked == null ? 1_500 : maxParked;
    ackFlushInterval = ackFlushInterval == null ? Duration.ofSeconds(1) : ackFlushInterval;
    if (ackFlushInterval.isNegative() || ackFlushInterval.isZero()) {
      throw new IllegalArgumentException("messenger.sync.ack-flush-interval must be positive");
    }
  }
}
