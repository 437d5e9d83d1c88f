package io.messenger.history.write;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.messenger.history.HistoryMetrics;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.history.support.ActivityRows;
import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import io.messenger.support.security.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The second write path: concurrent writes to one conversation share consensus rounds, and the
 * client id is decided in the same round as the seq (request rows in the log partition).
 */
@HistoryIT
class GroupCommitIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired EventService events;
  @Autowired MeterRegistry meters;
  @Autowired CqlSession session;
  @Autowired Keyspace keyspace;

  Writes writes;
  String alice;
  String bob;
  ExecutorService pool;

  @BeforeEach
  void setUp() {
    writes = new Writes(new Api(port, tokens));
    alice = Api.uniqueUser("alice");
    bob = Api.uniqueUser("bob");
    pool = Executors.newFixedThreadPool(32);
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  @Test
  void concurrentWritesShareRoundsAndKeepSeqsDense() throws Exception {
    ConversationId cid = ConversationId.of(writes.group(alice, bob));
    double roundsBefore = rounds("applied");
    int writers = 32;
    int each = 10;
    Set<Long> seqs = ConcurrentHashMap.newKeySet();
    concurrently(
        writers,
        each,
        (writer, i) ->
            seqs.add(
                events
                    .sendMessage(cid, UserId.of(alice), "g" + writer + "-" + i, "m " + i)
                    .event()
                    .seq()));
    int total = writers * each;
    assertThat(seqs).hasSize(total);
    assertThat(seqs.stream().mapToLong(Long::longValue).min().orElseThrow()).isEqualTo(1);
    assertThat(seqs.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(total);
    // Fewer consensus rounds than writes: writes that queued behind a round went out together.
    assertThat(rounds("applied") - roundsBefore).isLessThan(total);
  }

  @Test
  void writesLoggedTogetherAnswerWithTheConversationMovedToTheNewestOnce() throws Exception {
    ConversationId cid = ConversationId.of(writes.group(alice, bob));
    double sharedBefore = headMoves("newest");
    int writers = 16;
    int each = 10;
    List<String> stale = new java.util.concurrent.CopyOnWriteArrayList<>();
    concurrently(
        writers,
        each,
        (writer, i) -> {
          long seq =
              events
                  .sendMessage(cid, UserId.of(bob), "h" + writer + "-" + i, "m " + i)
                  .event()
                  .seq();
          // Answered: the head hint already covers this event (read your writes).
          long hint = headHint(cid);
          if (hint < seq) {
            stale.add("seq " + seq + " answered with the head hint at " + hint);
          }
        });
    int total = writers * each;
    assertThat(stale).isEmpty();
    assertThat(headHint(cid)).isEqualTo(total);
    // Some events were moved by their round's newest event (the path under test ran) ...
    assertThat(headMoves("newest") - sharedBefore).isPositive();
    // ... and each member's list holds the conversation once, at the newest event's time.
    java.time.Instant newest =
        session
            .execute(
                "SELECT at FROM "
                    + keyspace.table("conversation_log")
                    + " WHERE conversation_id = ? AND bucket = 0 AND seq = ?",
                cid.value(),
                (long) total)
            .one()
            .getInstant("at");
    for (String member : List.of(alice, bob)) {
      assertThat(listedAt(member, cid)).as(member).containsExactly(newest);
    }
  }

  @Test
  void theSameClientIdSentConcurrentlyIsLoggedOnce() throws Exception {
    ConversationId cid = ConversationId.of(writes.group(alice, bob));
    int copies = 16;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<EventService.Written>> done = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      done.add(
          pool.submit(
              () -> {
                start.await();
                return events.sendMessage(cid, UserId.of(bob), "same", "only once");
              }));
    }
    start.countDown();
    List<EventService.Written> written = new ArrayList<>();
    for (Future<EventService.Written> f : done) {
      written.add(f.get());
    }
    assertThat(written.stream().filter(EventService.Written::created)).hasSize(1);
    assertThat(written.stream().map(w -> w.event().seq()).distinct()).containsExactly(1L);
    assertThat(events.sendMessage(cid, UserId.of(bob), "next", "second").event().seq())
        .isEqualTo(2);
  }

  @Test
  void theLogsRequestRowCatchesARetryWhoseRecordWasLost() {
    ConversationId cid = ConversationId.of(writes.group(alice, bob));
    EventService.Written first = events.sendMessage(cid, UserId.of(alice), "lost-record", "hi");
    // As if the instance died between the consensus round and recording the client id.
    session.execute(
        "DELETE FROM "
            + keyspace.table("client_requests")
            + " WHERE conversation_id = ? AND actor_id = ? AND client_id = ?",
        cid.value(),
        alice,
        "lost-record");

    EventService.Written retry = events.sendMessage(cid, UserId.of(alice), "lost-record", "hi");
    assertThat(retry.created()).isFalse();
    assertThat(retry.event()).isEqualTo(first.event());

    Api.Answer conflict = writes.send(cid.value(), alice, "lost-record", "other text");
    assertThat(conflict.status()).isEqualTo(409);
  }

  /** One write of a writer: its number and the write's number among its own. */
  private interface Write {
    void run(int writer, int i) throws Exception;
  }

  /** {@code writers} threads, started together, each making {@code each} writes in turn. */
  private void concurrently(int writers, int each, Write write) throws Exception {
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < each; i++) {
                  write.run(writer, i);
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
  }

  private long headHint(ConversationId cid) {
    return session
        .execute(
            "SELECT last_seq FROM "
                + keyspace.table("conversations")
                + " WHERE conversation_id = ?",
            cid.value())
        .one()
        .getLong("last_seq");
  }

  /** The times at which {@code user}'s conversation list holds {@code cid} (its activity rows). */
  private List<java.time.Instant> listedAt(String user, ConversationId cid) {
    return ActivityRows.of(session, keyspace, user).stream()
        .filter(row -> row.conversationId().equals(cid.value()))
        .map(ActivityRows.Row::activeAt)
        .toList();
  }

  private double headMoves(String by) {
    var counter = meters.find(HistoryMetrics.HEAD_MOVES).tag("by", by).counter();
    return counter == null ? 0 : counter.count();
  }

  private double rounds(String result) {
    var counter = meters.find(HistoryMetrics.LOG_ROUNDS).tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }
}
