package io.messenger.support.web;

import java.io.IOException;

/**
 * Thrown by the request body stream of {@link BodySizeLimitFilter} once a body without a declared
 * (or with an understated) length passes the limit. It surfaces through whatever reads the body
 * (usually the JSON reader) and is answered 413 {@code payload-too-large}.
 */
public class BodyTooLargeException extends IOException {

  private final long maxBytes;

  public BodyTooLargeException(long maxBytes) {
    super("request bodies are limited to " + maxBytes + " bytes");
    this.maxBytes = maxBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** The {@link BodyTooLargeException} in the cause chain of {@code failure}, or {@code null}. */
  public static BodyTooLargeException in(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BodyTooLargeException tooLarge) {
        return tooLarge;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
