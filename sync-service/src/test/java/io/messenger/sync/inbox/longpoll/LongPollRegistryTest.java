package io.messenger.sync.inbox.longpoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import io.messenger.sync.SyncExecutors;
import io.messenger.sync.SyncProperties;
import io.messenger.sync.inbox.InboxNews;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the registry hands news to its waiters (with recording fakes; no HTTP, no Redis). */
class LongPollRegistryTest {

  private static final ConversationId GROUP = ConversationId.of("big");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final SyncExecutors executors = new SyncExecutors(meters);
  private final LongPollRegistry registry =
      new LongPollRegistry(new SyncProperties(null, null), meters, executors);

  @AfterEach
  void stop() {
    executors.destroy();
  }

  /** A waiter that answers from group news when {@code answers}, and counts what it was asked. */
  private static final class Recording implements LongPollRegistry.Waiter {
    final boolean answers;
    final AtomicInteger byGroup = new AtomicInteger();
    final AtomicInteger byNews = new AtomicInteger();
    final AtomicInteger rechecks = new AtomicInteger();
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    Recording(boolean answers) {
      this.answers = answers;
    }

    @Override
    public boolean answer(InboxNews news) {
      byNews.incrementAndGet();
      threads.add(Thread.currentThread().getName());
      return answers;
    }

    @Override
    public boolean answerByGroup(ConversationId group, long seq, long periodStart) {
      byGroup.incrementAndGet();
      threads.add(Thread.currentThread().getName());
      return answers;
    }

    @Override
    public void recheck() {
      rechecks.incrementAndGet();
      threads.add(Thread.currentThread().getName());
    }
  }

  private static byte[] groupNews(long seq) {
    return ("#lg\n" + GROUP.value() + "\n" + seq + "\n7").getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void groupNewsWakesEveryParkedMemberOnceInChunksAndOnlyThoseWhoCannotAnswerReadAgain() {
    int members = 3 * LongPollRegistry.WAKE_CHUNK + 5;
    List<Recording> waiters = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      Recording waiter = new Recording(i % 10 != 0);
      waiters.add(waiter);
      registry.register(UserId.of("u" + i), waiter, Set.of(GROUP));
    }

    registry.news(groupNews(42));

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (Recording waiter : waiters) {
                assertThat(waiter.byGroup).hasValue(1);
                assertThat(waiter.rechecks).hasValue(waiter.answers ? 0 : 1);
              }
            });
    for (Recording waiter : waiters) {
      assertThat(waiter.threads).allMatch(name -> name.startsWith("longpoll-waker-"));
      assertThat(waiter.byNews).hasValue(0);
    }
    // Woken waiters are out of the registry until they register again: a second news finds none.
    registry.news(groupNews(43));
    assertThat(waiters).allMatch(waiter -> waiter.byGroup.get() == 1);
  }

  @Test
  void inboxNewsIsAnsweredOnTheNewsThreadAndOnlyARecheckGoesToTheWakers() {
    Recording answers = new Recording(true);
    Recording readsAgain = new Recording(false);
    registry.register(UserId.of("alice"), answers);
    registry.register(UserId.of("bob"), readsAgain);

    registry.news(("alice\n1-0\n2-0\n{}").getBytes(StandardCharsets.UTF_8));
    registry.news(("bob\n1-0\n2-0\n{}").getBytes(StandardCharsets.UTF_8));

    assertThat(answers.byNews).hasValue(1);
    assertThat(answers.threads).containsExactly(Thread.currentThread().getName());
    assertThat(readsAgain.byNews).hasValue(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(readsAgain.rechecks).hasValue(1));
    assertThat(answers.rechecks).hasValue(0);
  }

  @Test
  void aSignalWithoutNewsMakesEveryWaiterOfTheUserReadAgain() {
    Recording first = new Recording(true);
    Recording second = new Recording(true);
    registry.register(UserId.of("carol"), first);
    registry.register(UserId.of("carol"), second);

    registry.signal(UserId.of("carol"), null);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(first.rechecks).hasValue(1);
              assertThat(second.rechecks).hasValue(1);
            });
    assertThat(first.byNews).hasValue(0);
  }
}
