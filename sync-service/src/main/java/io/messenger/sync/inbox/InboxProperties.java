package io.messenger.sync.inbox;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The inbox's cap and retention: a capped FIFO of the newest {@code maxEntries} entries (default
 * 1000) no older than {@code retention} (default 7 days). An inbox without any activity for the
 * retention expires entirely. {@code legacyItemField} (default off) also stores each entry's item
 * in the field {@code d} that instances before the stored wire form ({@code w}) read: turn it on
 * for the length of a rolling upgrade from such a version, so that old instances still serving
 * pulls can read new entries.
 */
@Validated
@ConfigurationProperties("messenger.inbox")
public record InboxProperties(
    @Positive Integer maxEntries, @NotNull Duration retention, Boolean legacyItemField) {
  public InboxProperties {
    maxEntries = maxEntries == null ? 1000 : maxEntries;
    retention = retention == null ? Duration.ofDays(7) : retention;
    legacyItemField = legacyItemField != null && legacyItemField;
    if (retention.toMillis() < 1000) {
      throw new IllegalArgumentException("messenger.inbox.retention must be at least 1s");
    }
  }
}
