package io.messenger.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SyncExecutorsTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SyncExecutors executors = new SyncExecutors(meters);

  @Test
  void threadsAreNamedDaemonsAndThePoolsAreMeteredByName() throws Exception {
    ExecutorService pool = executors.fixed("waker", 2);
    ScheduledExecutorService timer = executors.scheduler("timer");

    Thread pooled = pool.submit(Thread::currentThread).get(5, TimeUnit.SECONDS);
    Thread timed =
        timer.schedule(Thread::currentThread, 1, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);

    assertThat(pooled.getName()).isEqualTo("waker-1");
    assertThat(pooled.isDaemon()).isTrue();
    assertThat(timed.getName()).isEqualTo("timer");
    assertThat(meters.get("executor.pool.max").tag("name", "waker").gauge().value()).isEqualTo(2);
    assertThat(meters.get("executor.completed").tag("name", "timer").functionCounter()).isNotNull();
  }

  @Test
  void closingTheContextShutsEveryPoolDown() {
    ExecutorService single = executors.single("signal");
    ScheduledExecutorService timer = executors.scheduler("timer");

    executors.destroy();

    assertThat(single.isShutdown()).isTrue();
    assertThat(timer.isShutdown()).isTrue();
  }
}
