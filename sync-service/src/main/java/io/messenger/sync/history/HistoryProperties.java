package io.messenger.sync.history;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The way to the history-service.
 *
 * @param baseUrl its base URL, e.g. {@code http://127.0.0.1:8082}
 * @param timeout connect and read timeout of one call (default 5 s)
 */
@Validated
@ConfigurationProperties("messenger.history")
public record HistoryProperties(@NotNull URI baseUrl, @NotNull Duration timeout) {
  public HistoryProperties {
    timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
  }
}
