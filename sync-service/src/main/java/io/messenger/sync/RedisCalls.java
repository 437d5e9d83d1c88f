package io.messenger.sync;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter;

/**
 * Many Redis calls on the shared Lettuce connection: all sent before any reply is awaited (so they
 * are pipelined on the wire without a connection of their own; {@code executePipelined} would open
 * a dedicated one), then awaited in order within the command timeout. Used by the fan-outs of the
 * inbox store and of the large-group index.
 */
public final class RedisCalls {

  private static final LettuceExceptionConverter LETTUCE_EXCEPTIONS =
      new LettuceExceptionConverter();

  private RedisCalls() {}

  /**
   * The Lettuce commands behind {@code connection}: for a connection that is neither pipelined nor
   * in a transaction, those of the connection the factory shares between threads. The cluster
   * interface, so that the same calls are routed by hash slot on a Redis Cluster.
   */
  @SuppressWarnings("unchecked")
  public static RedisClusterAsyncCommands<byte[], byte[]> sharedAsync(RedisConnection connection) {
    Object commands = connection.getNativeConnection();
    if (commands instanceof RedisClusterAsyncCommands<?, ?>) {
      return (RedisClusterAsyncCommands<byte[], byte[]>) commands;
    }
    throw new IllegalStateException(
        "the Redis stores need a Lettuce connection, not " + commands.getClass().getName());
  }

  /** The replies in order; the first failure, or running out of {@code timeout}, throws. */
  public static <T> List<T> awaitAll(List<RedisFuture<T>> replies, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<T> results = new ArrayList<>(replies.size());
    for (RedisFuture<T> reply : replies) {
      try {
        results.add(reply.get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisSystemException("interrupted while waiting for Redis", e);
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        throw translated(e);
      }
    }
    return results;
  }

  /**
   * A Lettuce failure as Spring's: command error as {@link RedisSystemException} (its cause keeps
   * the Redis message, e.g. NOSCRIPT), timeout as {@code QueryTimeoutException}, lost connection as
   * {@code RedisConnectionFailureException}.
   */
  public static DataAccessException translated(Exception e) {
    if (e instanceof DataAccessException done) {
      return done;
    }
    DataAccessException translated = LETTUCE_EXCEPTIONS.convert(e);
    return translated != null ? translated : new RedisSystemException("Redis call failed", e);
  }
}
