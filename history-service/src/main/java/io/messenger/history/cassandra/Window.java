package io.messenger.history.cassandra;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs asynchronous statements with at most {@code width} in flight, so that a write to hundreds of
 * members (or a backfill of thousands of conversations) does not exhaust the driver's in-flight
 * requests per connection (1,024 by default).
 */
public final class Window {

  private Window() {}

  public static CompletionStage<Void> run(List<Supplier<CompletionStage<?>>> tasks, int width) {
    if (tasks.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    int lanes = Math.min(width, tasks.size());
    for (int i = 0; i < lanes; i++) {
      lane(tasks, next, finished, done);
    }
    return done;
  }

  private static void lane(
      List<Supplier<CompletionStage<?>>> tasks,
      AtomicInteger next,
      AtomicInteger finished,
      CompletableFuture<Void> done) {
    int i = next.getAndIncrement();
    if (i >= tasks.size() || done.isDone()) {
      return;
    }
    CompletionStage<?> stage;
    try {
      stage = tasks.get(i).get();
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
      return;
    }
    stage.whenComplete(
        (r, e) -> {
          if (e != null) {
            done.completeExceptionally(e);
          } else if (finished.incrementAndGet() == tasks.size()) {
            done.complete(null);
          } else {
            lane(tasks, next, finished, done);
          }
        });
  }
}
