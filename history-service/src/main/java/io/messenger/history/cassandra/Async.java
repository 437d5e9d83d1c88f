package io.messenger.history.cassandra;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Waits for several driver calls issued together, rethrowing the driver's own exception. */
public final class Async {

  private Async() {}

  public static void awaitAll(Collection<? extends CompletionStage<?>> stages) {
    CompletableFuture<?>[] futures =
        stages.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new);
    await(CompletableFuture.allOf(futures));
  }

  /**
   * Runs {@code call} for every item with at most {@code window} calls in flight (a group of
   * 100,000 members must not put 100,000 requests on the driver's connections at once), and waits
   * for all of them.
   */
  public static <T> void forEachWindowed(
      java.util.List<T> items,
      int window,
      java.util.function.Function<T, ? extends CompletionStage<?>> call) {
    for (int from = 0; from < items.size(); from += window) {
      awaitAll(
          items.subList(from, Math.min(items.size(), from + window)).stream().map(call).toList());
    }
  }

  /** The stage's value; its failure rethrown as it was raised (not wrapped). */
  public static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }
}
