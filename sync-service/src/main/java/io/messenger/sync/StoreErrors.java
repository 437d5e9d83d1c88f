package io.messenger.sync;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * Counts store failures as {@value SyncMetrics#STORE_ERRORS} with a bounded {@code kind} derived
 * from the exception (never its message).
 */
public final class StoreErrors {

  /** The inbox store. */
  public static final String REDIS = "redis";

  /** The history-service, the durable store behind every client write. */
  public static final String HISTORY = "history";

  private StoreErrors() {}

  /** Counts one failure of {@code store} of the given bounded {@code kind}. */
  public static void count(MeterRegistry meters, String store, String kind) {
    if (meters != null) {
      meters.counter(SyncMetrics.STORE_ERRORS, "store", store, "kind", kind).increment();
    }
  }

  /** Counts one failure of {@code store}, its kind read off the exception and its causes. */
  public static void count(MeterRegistry meters, String store, Throwable failure) {
    count(meters, store, kind(failure));
  }

  /** {@code timeout}, {@code connection} or {@code other}. */
  static String kind(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof QueryTimeoutException
          || t instanceof TimeoutException
          || t instanceof HttpTimeoutException
          || t instanceof java.net.SocketTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        return "timeout";
      }
      if (t instanceof RedisConnectionFailureException
          || t instanceof ConnectException
          || t.getClass().getSimpleName().contains("Connection")) {
        return "connection";
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return "other";
  }
}
