package io.messenger.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

/**
 * The write path's second promise: every logged event reaches every recipient's inbox within {@code
 * messenger.delivery.max-lag} (here {@link SystemUnderTest#MAX_LAG}) although the write's own
 * fan-out never ran or was cut off, and nothing is delivered twice. Faults are real: a sync-service
 * process is SIGKILLed, Redis is paused ({@code CLIENT PAUSE ... WRITE}).
 */
@ExtendWith(SystemUnderTest.class)
class DeliveryRelaySystemIT {

  /** Late deliveries are awaited this long: the promise, plus the time to look. */
  static final Duration DEADLINE = SystemUnderTest.MAX_LAG.plusSeconds(3);

  @Test
  void aSendWhoseInstanceDiedBeforeItsFanOutReachesEveryInbox() throws Exception {
    List<Client> members = MessengerSystemIT.clients("pre", 20);
    String cid = MessengerSystemIT.group(members);
    ServiceProcess victim =
        ServiceProcess.start("sync-victim-1", "sync.jar", SystemUnderTest.syncEnvironment())
            .awaitUp(Duration.ofSeconds(120));
    Client sender = members.get(0);
    // Inbox writes block: the victim's fan-out cannot reach Redis before it dies.
    Stores.pauseWrites(10_000);
    try {
      CompletableFuture.runAsync(
          () -> MessengerSystemIT.send(sender, victim, cid, "doomed-1", "fan me out"));
      long seq = awaitLogged(sender, cid, "fan me out");
      victim.kill();
      assertThat(seq).isEqualTo(1);
    } finally {
      Stores.unpause();
    }
    awaitEveryInboxHoldsOnce(members, cid, 1);
  }

  @Test
  void aGroupFanOutCutOffByAKillIsCompletedWithoutDuplicates() throws Exception {
    List<Client> members = MessengerSystemIT.clients("mid", 400);
    String cid = MessengerSystemIT.group(members);
    ServiceProcess victim =
        ServiceProcess.start("sync-victim-2", "sync.jar", SystemUnderTest.syncEnvironment())
            .awaitUp(Duration.ofSeconds(120));
    Client sender = members.get(0);
    CompletableFuture.runAsync(
        () -> MessengerSystemIT.send(sender, victim, cid, "cut-1", "to four hundred"));
    awaitLogged(sender, cid, "to four hundred");
    victim.kill(); // somewhere before, during or after its fan-out
    awaitEveryInboxHoldsOnce(members, cid, 1);
  }

  @Test
  void sendsThatAnswered503WhileRedisWasPausedAreDeliveredAfterwards() throws Exception {
    List<Client> members = MessengerSystemIT.clients("paused", 5);
    String cid = MessengerSystemIT.group(members);
    Client sender = members.get(1);
    // Paused until the send has answered (unpaused below), with a timeout only as a safety net:
    // a pause of a fixed few seconds could run out before a slow history write reaches the fan-out.
    Stores.pauseWrites(20_000);
    Client.Answer answer;
    try {
      answer = MessengerSystemIT.send(sender, SystemUnderTest.sync1(), cid, "p-1", "while paused");
    } finally {
      Stores.unpause();
    }
    // The write is durable, the fan-out timed out: 503, and the client never retries.
    assertThat(answer.status()).as(String.valueOf(answer.body())).isEqualTo(503);
    assertThat(answer.retryAfter()).isNotNull();
    awaitEveryInboxHoldsOnce(members, cid, 1);
  }

  @Test
  void sixtyFourSendersOnTwoInstancesGetDenseUniqueSeqs() throws Exception {
    List<Client> members = MessengerSystemIT.clients("dense", 8);
    String cid = MessengerSystemIT.group(members);
    int senders = 64;
    int each = 3;
    Set<Long> seqs = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      int sender = s;
      done.add(
          pool.submit(
              () -> {
                start.await();
                ServiceProcess via =
                    sender % 2 == 0 ? SystemUnderTest.sync1() : SystemUnderTest.sync2();
                for (int i = 0; i < each; i++) {
                  // As a client does: a 503 is retried with the same clientMsgId after its
                  // Retry-After (64 senders on two cores may outlast the 5 s history timeout).
                  Client.Answer a = null;
                  for (int attempt = 1; attempt <= 10; attempt++) {
                    a =
                        MessengerSystemIT.send(
                            members.get(sender % members.size()),
                            via,
                            cid,
                            "d" + sender + "-" + i,
                            "dense " + i);
                    if (a.status() != 503) {
                      break;
                    }
                    Thread.sleep(1000);
                  }
                  assertThat(a.status()).as(String.valueOf(a.body())).isIn(200, 201);
                  seqs.add(a.get("seq").asLong());
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    int total = senders * each;
    assertThat(seqs).hasSize(total);
    assertThat(seqs).allMatch(seq -> seq >= 1 && seq <= total);
  }

  /** Waits until the history shows the message with this text (durable); returns its seq. */
  private static long awaitLogged(Client sender, String cid, String text) {
    long[] seq = new long[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              Client.Answer page =
                  sender.get(
                      SystemUnderTest.history1(),
                      "/v1/conversations/" + cid + "/messages?limit=10");
              if (page.status() != 200) {
                return false;
              }
              for (JsonNode m : page.get("messages")) {
                if (text.equals(m.path("text").asString())) {
                  seq[0] = m.get("seq").asLong();
                  return true;
                }
              }
              return false;
            });
    return seq[0];
  }

  /**
   * Every member's inbox holds the message with this seq exactly once: each holds it within the
   * deadline (a look pulls, 16 at a time, only the inboxes that did not show it yet, so the time to
   * look does not grow with the group and eat the deadline on a loaded machine), and a last look at
   * every inbox finds no second copy.
   */
  private static void awaitEveryInboxHoldsOnce(List<Client> members, String cid, long seq) {
    Set<Client> pending = ConcurrentHashMap.newKeySet();
    pending.addAll(members);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      await()
          .atMost(DEADLINE)
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                List<Future<?>> looks = new ArrayList<>();
                for (Client member : pending) {
                  looks.add(
                      pool.submit(
                          () -> {
                            long copies = copies(member, cid, seq);
                            assertThat(copies).as(member.user).isLessThanOrEqualTo(1);
                            if (copies == 1) {
                              pending.remove(member);
                            }
                            return null;
                          }));
                }
                for (Future<?> look : looks) {
                  look.get();
                }
                assertThat(pending).extracting(c -> c.user).as("inboxes without it").isEmpty();
              });
    } finally {
      pool.shutdownNow();
    }
    for (Client member : members) {
      assertThat(copies(member, cid, seq)).as(member.user).isEqualTo(1);
    }
  }

  private static long copies(Client member, String cid, long seq) {
    JsonNode pulled = member.get(SystemUnderTest.sync2(), "/v1/sync?cursor=0-0&limit=500").body();
    return MessengerSystemIT.entries(pulled, "message").stream()
        .filter(e -> cid.equals(e.path("conversationId").asString()))
        .filter(e -> e.path("seq").asLong() == seq)
        .count();
  }
}
