package io.messenger.support.problem;

import java.time.Duration;
import org.springframework.http.HttpStatus;

/**
 * A refusal that becomes a problem detail: its status, stable {@link ProblemType}, a human detail
 * and, for 429 and 503, how long the client should wait ({@code Retry-After}).
 */
public class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final ProblemType type;
  private final Duration retryAfter;

  public ApiException(HttpStatus status, ProblemType type, String detail) {
    this(status, type, detail, null, null);
  }

  public ApiException(
      HttpStatus status, ProblemType type, String detail, Duration retryAfter, Throwable cause) {
    super(detail, cause);
    this.status = status;
    this.type = type;
    this.retryAfter = retryAfter;
  }

  public static ApiException badRequest(ProblemType type, String detail) {
    return new ApiException(HttpStatus.BAD_REQUEST, type, detail);
  }

  public static ApiException notFound(ProblemType type, String detail) {
    return new ApiException(HttpStatus.NOT_FOUND, type, detail);
  }

  /** 503 with {@code Retry-After}: the store or a service we depend on cannot be reached. */
  public static ApiException unavailable(String detail, Duration retryAfter, Throwable cause) {
    return new ApiException(
        HttpStatus.SERVICE_UNAVAILABLE, ProblemType.STORE_UNAVAILABLE, detail, retryAfter, cause);
  }

  public HttpStatus status() {
    return status;
  }

  public ProblemType type() {
    return type;
  }

  /** The wait to advertise in {@code Retry-After}, or {@code null}. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
