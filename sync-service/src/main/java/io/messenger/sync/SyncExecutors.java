package io.messenger.sync;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Every thread pool of the sync-service is made here: each has a name (its threads' name, and the
 * tag {@code name} of Micrometer's {@code executor.*} meters, see docs/metrics.md), daemon threads,
 * and is shut down ({@code shutdownNow}) when the context closes, after the beans that use it
 * (which stop their own tasks first where order matters: ack flush, relay). The pools are not
 * {@code Executor} beans on purpose: one would make Spring Boot drop its {@code
 * applicationTaskExecutor}.
 */
@Component
public class SyncExecutors implements DisposableBean {

  private final MeterRegistry meters;
  private final List<ExecutorService> made = new ArrayList<>();

  public SyncExecutors(MeterRegistry meters) {
    this.meters = meters;
  }

  /** A pool of {@code threads} threads named {@code <name>-<n>}, unbounded queue. */
  public ExecutorService fixed(String name, int threads) {
    return register(
        name,
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            threads(name, threads > 1)));
  }

  /** One thread named {@code name}: tasks run one at a time, in order of submission. */
  public ExecutorService single(String name) {
    return fixed(name, 1);
  }

  /**
   * One scheduling thread named {@code name}. Cancelled tasks leave its queue at once (most timers
   * of this service are cancelled long before they are due).
   */
  public ScheduledThreadPoolExecutor scheduler(String name) {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, threads(name, false));
    executor.setRemoveOnCancelPolicy(true);
    return register(name, executor);
  }

  /**
   * Waits up to {@code seconds} for the tasks already queued on the one-thread {@code executor}
   * (one running included) to end: a task cancelled by a stopping bean may still be in flight.
   */
  public static void awaitQueued(ExecutorService executor, long seconds) {
    try {
      executor.submit(() -> {}).get(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      // shut down already, or stuck: nothing more to wait for
    }
  }

  private synchronized <E extends ExecutorService> E register(String name, E executor) {
    new ExecutorServiceMetrics(executor, name, Tags.empty()).bindTo(meters);
    made.add(executor);
    return executor;
  }

  private static ThreadFactory threads(String name, boolean numbered) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, numbered ? name + "-" + count.incrementAndGet() : name);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public synchronized void destroy() {
    for (ExecutorService executor : made) {
      executor.shutdownNow();
    }
  }
}
