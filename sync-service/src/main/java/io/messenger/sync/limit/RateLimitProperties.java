package io.messenger.sync.limit;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Request rate limits of this instance ({@code messenger.rate-limit.*}). Each limit is a token
 * bucket: {@code burst} requests at once, refilled at {@code per-second}. Buckets live in this
 * instance's memory, so with N instances behind a load balancer a client may get up to N times the
 * rate; the limits protect each instance and the stores behind it, they are not a quota.
 *
 * @param enabled whether requests are limited at all (default true)
 * @param writes client writes ({@code POST /v1/conversations/**}), per user: default 20/s, burst
 *     100
 * @param pulls pulls ({@code GET /v1/sync}), per device: default 10/s, burst 50
 * @param acks acks ({@code POST /v1/sync/ack}), per device: default 50/s, burst 200 (acks are
 *     coalesced in memory, so a client may send many, but not without bound)
 * @param idleExpiry how long an untouched bucket is kept (default 10 min)
 * @param maxBuckets the most buckets kept per kind; the least recently used go first (default
 *     1,000,000)
 */
@Validated
@ConfigurationProperties("messenger.rate-limit")
public record RateLimitProperties(
    Boolean enabled,
    @Valid Limit writes,
    @Valid Limit pulls,
    @Valid Limit acks,
    @NotNull Duration idleExpiry,
    @Positive Long maxBuckets) {

  public RateLimitProperties {
    enabled = enabled == null || enabled;
    writes = Limit.orDefaults(writes, 20.0, 100);
    pulls = Limit.orDefaults(pulls, 10.0, 50);
    acks = Limit.orDefaults(acks, 50.0, 200);
    idleExpiry = idleExpiry == null ? Duration.ofMinutes(10) : idleExpiry;
    maxBuckets = maxBuckets == null ? 1_000_000L : maxBuckets;
  }

  /**
   * One token bucket.
   *
   * @param perSecond the sustained rate (requests per second, may be fractional)
   * @param burst the bucket's capacity: requests allowed at once after a quiet period
   */
  public record Limit(@Positive Double perSecond, @Positive Integer burst) {

    /** {@code limit} with each unset value taken from the defaults. */
    static Limit orDefaults(Limit limit, double perSecond, int burst) {
      if (limit == null) {
        return new Limit(perSecond, burst);
      }
      return new Limit(
          limit.perSecond() == null ? perSecond : limit.perSecond(),
          limit.burst() == null ? burst : limit.burst());
    }
  }
}
