package io.messenger.history.write;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Rules of the write path, bound from {@code messenger.*}.
 *
 * @param recallWindow how long after sending a sender may recall a message ({@code
 *     messenger.recall.window}, default 24h)
 * @param maxTextLength the longest message or edit text in characters ({@code
 *     messenger.message.max-text-length}, default 4096)
 * @param lease how long a reserved but unfinished write blocks retries of the same client id before
 *     a retry may take it over ({@code messenger.write.lease}, default 10s)
 */
@Validated
@ConfigurationProperties("messenger")
public record WriteProperties(@NotNull Recall recall, @NotNull Msg message, @NotNull Write write) {

  public Duration recallWindow() {
    return recall.window();
  }

  public int maxTextLength() {
    return message.maxTextLength();
  }

  public Duration lease() {
    return write.lease();
  }

  /** {@code messenger.recall.*}. */
  public record Recall(@NotNull Duration window) {}

  /** {@code messenger.message.*}. */
  public record Msg(@Min(1) @Max(65_536) int maxTextLength) {}

  /** {@code messenger.write.*}. */
  public record Write(@NotNull Duration lease) {}
}
