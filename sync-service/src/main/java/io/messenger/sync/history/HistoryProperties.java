package io.messenger.sync.history;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The way to the history-service.
 *
 * @param baseUrl its base URL, e.g. {@code http://127.0.0.1:8082}
 * @param timeout connect and response timeout of one call, and the longest wait for a free pooled
 *     connection (default 5 s)
 * @param maxConnections the most keep-alive connections kept open to it (default 64): at most that
 *     many calls are in flight at once, the others wait for a connection (up to {@code timeout})
 */
@Validated
@ConfigurationProperties("messenger.history")
public record HistoryProperties(
    @NotNull URI baseUrl, @NotNull Duration timeout, @Positive Integer maxConnections) {
  public HistoryProperties {
    timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
    maxConnections = maxConnections == null ? 64 : maxConnections;
  }
}
