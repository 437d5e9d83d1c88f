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
