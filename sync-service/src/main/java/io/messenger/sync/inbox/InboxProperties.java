package io.messenger.sync.inbox;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The inbox's cap and retention: a capped FIFO of the newest {@code maxEntries} entries (default
 * 1000) no older than {@code retention} (default 7 days). An inbox without any activity for the
 * retention expires entirely. {@code v1Compatible} (default off) also writes what instances of the
 * first layout (0.1) read: each entry's item in the field {@code d}, and the bare user id on
 * {@value InboxStore#SIGNAL_CHANNEL}. Turn it on for the length of a rolling upgrade from 0.1, so
 * that old instances still serving pulls can read new entries and wake their long-polls.
 */
@Validated
@ConfigurationProperties("messenger.inbox")
public record InboxProperties(
    @Positive Integer maxEntries, @NotNull Duration retention, Boolean v1Compatible) {
  public InboxProperties {
    maxEntries = maxEntries == null ? 1000 : maxEntries;
    retention = retention == null ? Duration.ofDays(7) : retention;
    v1Compatible = v1Compatible != null && v1Compatible;
    if (retention.toMillis() < 1000) {
      throw new IllegalArgumentException("messenger.inbox.retention must be at least 1s");
    }
  }
}
