package io.messenger.sync.relay;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code messenger.delivery.*}: the promise the relay keeps and whether this instance runs relay
 * workers.
 *
 * @param maxLag every logged event reaches every recipient's inbox within this time, whatever
 *     happened to the fan-out of its write (default 10 s; at least 2 s). The relay sweeps every
 *     tenth of it, leaves events younger than a fifth of it to their own fan-out, and leases its
 *     shards for half of it, so a dead worker's shards are taken over in time.
 * @param relay whether this instance runs relay workers (default true; any number of instances may,
 *     they share the shards through leases in Redis)
 * @param leasePrefix the prefix of the lease keys (default {@code relay-lease}); deployments that
 *     share one Redis (tests, staging beside each other) need one each
 */
@Validated
@ConfigurationProperties("messenger.delivery")
public record DeliveryProperties(
    @NotNull Duration maxLag,
    Boolean relay,
    @Pattern(regexp = "[A-Za-z0-9_.:-]{1,64}") String leasePrefix) {

  public DeliveryProperties {
    maxLag = maxLag == null ? Duration.ofSeconds(10) : maxLag;
    relay = relay == null ? Boolean.TRUE : relay;
    leasePrefix = leasePrefix == null ? "relay-lease" : leasePrefix;
    if (maxLag.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException("messenger.delivery.max-lag must be at least 2s");
    }
  }

  Duration sweepInterval() {
    return maxLag.dividedBy(10);
  }

  Duration settle() {
    return maxLag.dividedBy(5);
  }

  Duration lease() {
    return maxLag.dividedBy(2);
  }
}
