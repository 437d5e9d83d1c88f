package io.messenger.sync.inbox.longpoll;

import io.messenger.model.ConversationId;
import io.messenger.model.Limits;
import io.messenger.model.UserId;
import io.messenger.sync.SyncExecutors;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.SyncProperties;
import io.messenger.sync.inbox.InboxNews;
import io.messenger.sync.inbox.InboxStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.stereotype.Component;

/**
 * The long-polls parked on this instance, by user, and the bound on how many there may be. Every
 * instance subscribes once to {@value InboxStore#NEWS_CHANNEL} (published by {@code append.lua}
 * with each new entry, see {@link InboxNews}) and to the plain {@value InboxStore#SIGNAL_CHANNEL}
 * (a user id, from instances of the first layout). News of an entry is handed to each of that
 * user's waiters on the thread it arrived on: a waiter parked right before the new entry answers
 * with the entry the news carries (a non-blocking write), any other re-reads the inbox on a pool of
 * 16 threads ({@code longpoll-waker}). A large group's news wakes its parked members in chunks on
 * the same pool. Waiters register before they re-check, so no signal is lost in between.
 */
@Component
public class LongPollRegistry implements MessageListener {

  /** How a large group's news starts ({@code #lg\n<cid>\n<seq>}); never a valid user id. */
  private static final byte[] GROUP_NEWS = "#lg\n".getBytes(StandardCharsets.US_ASCII);

  /** How many woken waiters of a large group's news answer on one waker task. */
  static final int WAKE_CHUNK = 128;

  private final ConcurrentHashMap<UserId, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  /** Large group to the users with parked long-polls who are in it. */
  private final ConcurrentHashMap<ConversationId, Set<UserId>> watchers = new ConcurrentHashMap<>();

  private final AtomicInteger parked = new AtomicInteger();
  private final int maxParked;
  private final ExecutorService wakers;

  public LongPollRegistry(
      SyncProperties properties, MeterRegistry meters, SyncExecutors executors) {
    this.maxParked = properties.maxParked();
    // Each woken waiter re-reads its inbox (one Redis call, mostly waiting): with 1,000 parked
    // clients woken by one group send, 4 threads made the last answer wait for 250 sequential
    // reads.
    this.wakers = executors.fixed("longpoll-waker", 16);
    Gauge.builder(SyncMetrics.LONGPOLL_PARKED, parked, AtomicInteger::get)
        .description("long-polls parked on this instance")
        .register(meters);
  }

  /** Takes one of the parking places; {@code false} when all are taken. */
  public boolean tryPark() {
    while (true) {
      int current = parked.get();
      if (current >= maxParked) {
        return false;
      }
      if (parked.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public void unpark() {
    parked.decrementAndGet();
  }

  public int parked() {
    return parked.get();
  }

  /** A parked long-poll. */
  public interface Waiter {
    /**
     * Answers at once when {@code news} (of a new entry in the user's inbox) alone tells what the
     * answer is; {@code false} when the waiter must read again, which {@link #recheck} then does on
     * a waker thread. Called on the thread the news came on: must not block.
     */
    boolean answer(InboxNews news);

    /**
     * Answers at once when the news that one of the user's large groups logged an event every
     * member must hear of, at {@code seq}, in the large period that started at {@code periodStart}
     * (either -1: not known), alone tells what the answer is; {@code false} when the waiter must
     * read again ({@link #recheck} follows). Called on a waker thread, many in a row: must not
     * block.
     */
    boolean answerByGroup(ConversationId group, long seq, long periodStart);

    /**
     * Reads the inbox again and answers, or keeps waiting (registering itself again first). Called
     * on a waker thread; may block on the store.
     */
    void recheck();
  }

  void register(UserId user, Waiter waiter) {
    register(user, waiter, Set.of());
  }

  /**
   * Registers {@code waiter}, to be woken by news in {@code user}'s inbox or in any of {@code
   * groups} (the user's large groups).
   */
  public void register(UserId user, Waiter waiter, Set<ConversationId> groups) {
    waiters.compute(
        user,
        (key, set) -> {
          Set<Waiter> result = set == null ? new HashSet<>() : set;
          result.add(waiter);
          return result;
        });
    for (ConversationId group : groups) {
      watchers.computeIfAbsent(group, g -> ConcurrentHashMap.newKeySet()).add(user);
    }
  }

  public void unregister(UserId user, Waiter waiter) {
    waiters.computeIfPresent(
        user,
        (key, set) -> {
          set.remove(waiter);
          return set.isEmpty() ? null : set;
        });
  }

  /**
   * Wakes every waiter of {@code user} ({@code news}: of the new entry, or {@code null} when only
   * the user is known): each answers at once from the news if it can, or reads again on a waker
   * thread, and re-registers itself if it keeps waiting.
   */
  public void signal(UserId user, InboxNews news) {
    Set<Waiter> woken = waiters.remove(user);
    if (woken == null) {
      return;
    }
    for (Waiter waiter : woken) {
      if (news == null || !waiter.answer(news)) {
        wakers.execute(waiter::recheck);
      }
    }
  }

  @Override
  public void onMessage(Message message, byte[] pattern) {
    String channel = new String(message.getChannel(), StandardCharsets.UTF_8);
    if (InboxStore.NEWS_CHANNEL.equals(channel)) {
      news(message.getBody());
      return;
    }
    String user = new String(message.getBody(), StandardCharsets.UTF_8);
    if (Limits.isValidId(user)) {
      signal(UserId.of(user), null);
    }
  }

  /**
   * News in a large group: wakes the parked users who are in it. A user is forgotten here once a
   * news message finds none of their waiters parked. The woken waiters answer in chunks of {@value
   * #WAKE_CHUNK} on the wakers (one task per waiter made waking 1,000 of them a thousand thread
   * hand-overs on top of the container's), those that must read again each on a task of its own.
   */
  void groupNews(ConversationId group, long seq, long periodStart) {
    Set<UserId> users = watchers.get(group);
    if (users == null) {
      return;
    }
    List<Waiter> woken = new ArrayList<>();
    for (UserId user : users) {
      Set<Waiter> own = waiters.remove(user);
      if (own == null) {
        users.remove(user);
      } else {
        woken.addAll(own);
      }
    }
    if (users.isEmpty()) {
      watchers.remove(group, users);
    }
    for (int from = 0; from < woken.size(); from += WAKE_CHUNK) {
      List<Waiter> chunk = woken.subList(from, Math.min(woken.size(), from + WAKE_CHUNK));
      wakers.execute(
          () -> {
            for (Waiter waiter : chunk) {
              if (!waiter.answerByGroup(group, seq, periodStart)) {
                wakers.execute(waiter::recheck);
              }
            }
          });
    }
  }

  /** A payload of the news channel (or of a shard channel of it, on a Redis Cluster). */
  void news(byte[] payload) {
    if (payload.length > GROUP_NEWS.length && startsWith(payload, GROUP_NEWS)) {
      int end = GROUP_NEWS.length;
      while (end < payload.length && payload[end] != '\n') {
        end++;
      }
      String id =
          new String(
              payload, GROUP_NEWS.length, end - GROUP_NEWS.length, StandardCharsets.US_ASCII);
      if (Limits.isValidId(id)) {
        // #lg\n<cid>\n<seq>[\n<period start>]: older publishers send no period start.
        int seqEnd = lineEnd(payload, end + 1);
        groupNews(
            ConversationId.of(id),
            numberAt(payload, end + 1, seqEnd),
            numberAt(payload, seqEnd + 1, lineEnd(payload, seqEnd + 1)));
      }
      return;
    }
    InboxNews news = InboxNews.parse(payload);
    if (news != null) {
      signal(news.user(), news);
    }
  }

  private static int lineEnd(byte[] payload, int from) {
    int i = from;
    while (i < payload.length && payload[i] != '\n') {
      i++;
    }
    return i;
  }

  /** The non-negative decimal number in {@code payload[from, to)}; -1 when there is none. */
  private static long numberAt(byte[] payload, int from, int to) {
    if (from >= to || to - from > 18) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      if (payload[i] < '0' || payload[i] > '9') {
        return -1;
      }
      n = n * 10 + (payload[i] - '0');
    }
    return n;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
