package io.messenger.sync.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;

/**
 * In-memory token buckets of one kind of request, one per key (a user, or a user's device), built
 * on Bucket4j. Buckets unused for the idle expiry are dropped (a dropped bucket is a full one, so
 * dropping never tightens a limit).
 */
final class RateLimiter {

  private final Cache<String, Bucket> buckets;
  private final Bandwidth bandwidth;

  RateLimiter(RateLimitProperties.Limit limit, Duration idleExpiry, long maxBuckets) {
    // A refill of 1 token every (1 / perSecond) seconds, greedy: tokens trickle in smoothly.
    long nanosPerToken = Math.max(1, Math.round(1_000_000_000d / limit.perSecond()));
    this.bandwidth =
        Bandwidth.builder()
            .capacity(limit.burst())
            .refillGreedy(1, Duration.ofNanos(nanosPerToken))
            .build();
    this.buckets =
        Caffeine.newBuilder().expireAfterAccess(idleExpiry).maximumSize(maxBuckets).build();
  }

  /** Takes one token for {@code key}: {@code null} when allowed, else how long to wait. */
  Duration tryAcquire(String key) {
    Bucket bucket = buckets.get(key, k -> Bucket.builder().addLimit(bandwidth).build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed() ? null : Duration.ofNanos(probe.getNanosToWaitForRefill());
  }
}
