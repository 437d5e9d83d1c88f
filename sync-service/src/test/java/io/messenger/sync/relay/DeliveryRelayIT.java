package io.messenger.sync.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.InboxItem;
import io.messenger.model.Message;
import io.messenger.model.UserId;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.inbox.InboxService;
import io.messenger.sync.inbox.InboxStore;
import io.messenger.sync.inbox.PullResult;
import io.messenger.sync.support.RedisExtension;
import io.messenger.sync.support.StubHistory;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The relay worker against a real Redis and a stub history-service: it holds shard leases, puts
 * every event a sweep hands out into the recipients' inboxes once, counts only the entries it had
 * to add, and reports the sweep's progress back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(DeliveryRelayIT.Replicas.class)
class DeliveryRelayIT {

  /**
   * The Redis replication as a test sets it (a single test Redis has no replica): by default
   * nothing to wait for, as on that Redis.
   */
  @TestConfiguration
  static class Replicas {
    static volatile ReplicaMark mark = ReplicaMark.NONE;
    static volatile boolean caughtUp = true;

    @Bean
    @Primary
    Replication scriptedReplication() {
      return new Replication() {
        @Override
        public ReplicaMark mark() {
          return mark;
        }

        @Override
        public boolean caughtUp(ReplicaMark marked) {
          return marked.none() || caughtUp;
        }
      };
    }
  }

  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  static final StubHistory history = new StubHistory();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.host", RedisExtension::host);
    registry.add("spring.data.redis.port", RedisExtension::port);
    registry.add("messenger.history.base-url", history::baseUrl);
    registry.add("messenger.jwt.secret", () -> "it-client-secret-0123456789abcdef0123456789");
    registry.add("messenger.internal.secret", () -> "it-internal-secret-0123456789abcdef012345");
    // The test drives the worker itself (runOnce), so the timer is off; its leases are its own.
    registry.add("messenger.delivery.relay", () -> "false");
    registry.add("messenger.delivery.lease-prefix", () -> "relay-lease-it-" + System.nanoTime());
  }

  @AfterAll
  static void stopStub() {
    history.close();
  }

  @Autowired DeliveryRelay relay;
  @Autowired DeliveryConfirmations confirmations;
  @Autowired RelayLeases leases;
  @Autowired DeliveryProperties properties;
  @Autowired InboxService inbox;
  @Autowired InboxStore store;
  @Autowired MeterRegistry meters;

  @BeforeEach
  void reset() {
    Replicas.mark = ReplicaMark.NONE;
    Replicas.caughtUp = true;
    relay.withheld = DeliveryRelay.Withheld.NOTHING; // nothing held back from another test
    history.reset();
    relay.backOffUntil = System.nanoTime(); // no back-off left over from another test
    // This worker holds every shard (its lease prefix is its own).
    for (int shard = 0; shard < DeliveryRelay.SHARDS; shard++) {
      redis.redis().opsForValue().set(leases.key(shard), leases.holder(), Duration.ofSeconds(30));
    }
  }

  @Test
  void aSweptEventReachesEveryRecipientOnceAndProgressIsReported() {
    UserId alice = redis.newUser();
    UserId bob = redis.newUser();
    ConversationId cid = ConversationId.of("c_relay_" + alice.value());
    String sentAt =
        Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    String message =
        """
        {"conversationId":"%s","seq":7,"senderId":"%s","sentAt":"%s","clientMsgId":"m7","text":"late"}
        """
            .formatted(cid.value(), alice.value(), sentAt);
    history.answer(
        call -> {
          if (call.path().endsWith("/relay/sweeps")) {
            return StubHistory.Reply.of(
                200,
                """
                {"sweeps":[{"shard":3,"deliveries":[{"message":%s,"recipients":["%s","%s"]}],
                 "progress":[{"conversationId":"%s","upToSeq":7,"coveredMark":0,"clearMark":0}],
                 "next":""}]}
                """
                    .formatted(message.strip(), alice.value(), bob.value(), cid.value()));
          }
          return StubHistory.Reply.of(200, "{\"recorded\":1}");
        });
    // Bob's inbox already has the entry (the write's fan-out reached him), alice's does not.
    inbox.deliver(
        List.of(bob),
        new InboxItem.MessageItem(new Message(cid, 7, alice, Instant.parse(sentAt), "m7", "late")));
    double before = redriven();
    relay.runOnce();
    assertThat(redriven() - before).isEqualTo(1);
    relay.runOnce(); // the same event again: nothing added
    assertThat(redriven() - before).isEqualTo(1);

    for (UserId user : List.of(alice, bob)) {
      PullResult pulled = store.pull(user, DeviceId.of("phone"), new InboxCursor(0, 0), null, 10);
      assertThat(pulled.entries()).hasSize(1);
    }
    List<StubHistory.Call> sweeps =
        history.calls().stream().filter(c -> c.path().endsWith("/relay/sweeps")).toList();
    List<StubHistory.Call> advances =
        history.calls().stream().filter(c -> c.path().endsWith("/relay/advance")).toList();
    // One call per pass sweeps every held shard, and one reports on them.
    assertThat(sweeps).hasSize(2);
    for (int shard = 0; shard < DeliveryRelay.SHARDS; shard++) {
      assertThat(sweeps.get(0).body()).contains("{\"shard\":" + shard + ",");
    }
    assertThat(advances).hasSize(2);
    assertThat(advances.get(0).body()).contains("\"upToSeq\":7");
    assertThat(advances.get(0).authorization()).startsWith("Bearer ");
    assertThat(held()).isEqualTo(DeliveryRelay.SHARDS);
  }

  @Test
  void theWritesOwnDeliveriesAreConfirmedBeforeTheSweep() {
    history.answer(
        call ->
            call.path().endsWith("/relay/sweeps")
                ? StubHistory.Reply.of(200, "{\"sweeps\":[]}")
                : StubHistory.Reply.of(200, "{\"advanced\":1,\"recorded\":0}"));
    ConversationId cid = ConversationId.of("c_confirm_" + System.nanoTime());
    confirmations.enabled = true; // as on an instance whose worker runs (its timer is off here)
    confirmations.delivered(cid, 4);
    confirmations.delivered(cid, 5);
    double reported = confirmed("reported");
    relay.runOnce();
    assertThat(history.calls().get(0).path()).endsWith("/relay/confirm");
    assertThat(history.calls().get(0).body())
        .contains("\"seq\":4")
        .contains("\"seq\":5")
        .contains(cid.value());
    assertThat(history.calls().get(1).path()).endsWith("/relay/sweeps");
    assertThat(confirmed("reported") - reported).isEqualTo(2);

    // Reported once: the next pass has nothing to confirm.
    history.reset();
    history.answer(call -> StubHistory.Reply.of(200, "{\"sweeps\":[]}"));
    relay.runOnce();
    assertThat(history.calls())
        .extracting(StubHistory.Call::path)
        .noneMatch(p -> p.endsWith("/confirm"));
  }

  @Test
  void withReplicasDeliveriesAreReportedOnlyOnceTheReplicasHaveThem() {
    ConversationId swept = ConversationId.of("c_swept_" + System.nanoTime());
    java.util.function.Function<StubHistory.Call, StubHistory.Reply> answers =
        call ->
            call.path().endsWith("/relay/sweeps")
                ? StubHistory.Reply.of(
                    200,
                    """
                    {"sweeps":[{"shard":1,"deliveries":[],
                     "progress":[{"conversationId":"%s","upToSeq":9,"coveredMark":0,"clearMark":0}],
                     "next":""}]}
                    """
                        .formatted(swept.value()))
                : StubHistory.Reply.of(200, "{\"advanced\":1,\"recorded\":1}");
    history.answer(answers);
    ConversationId cid = ConversationId.of("c_replicas_" + System.nanoTime());
    confirmations.enabled = true;
    Replicas.mark = new ReplicaMark(java.util.Map.of("master-1", 100L));
    Replicas.caughtUp = false;

    // Pass 1: a confirmation and a sweep's progress, both held back for the replicas.
    confirmations.delivered(cid, 4);
    relay.runOnce();
    assertThat(paths()).containsExactly("/internal/v1/relay/sweeps");

    // Pass 2: the replicas have not caught up: forgotten (the sweeps check those events again).
    double unreplicated = confirmed("unreplicated");
    history.reset();
    history.answer(answers);
    relay.runOnce();
    assertThat(paths()).containsExactly("/internal/v1/relay/sweeps");
    assertThat(confirmed("unreplicated") - unreplicated).isEqualTo(1);

    // Pass 3 holds back a new confirmation and progress; pass 4 finds the replicas caught up.
    confirmations.delivered(cid, 6);
    relay.runOnce();
    Replicas.caughtUp = true;
    history.reset();
    history.answer(answers);
    relay.runOnce();
    assertThat(paths())
        .containsExactly(
            "/internal/v1/relay/confirm",
            "/internal/v1/relay/advance",
            "/internal/v1/relay/sweeps");
    assertThat(history.calls().get(0).body()).contains("\"seq\":6").doesNotContain("\"seq\":4");
    assertThat(history.calls().get(1).body()).contains(swept.value()).contains("\"upToSeq\":9");
  }

  private List<String> paths() {
    return history.calls().stream().map(StubHistory.Call::path).toList();
  }

  @Test
  void aShardLeaseIsHeldByOneWorkerUntilItRunsOut() throws Exception {
    RelayLeases other = new RelayLeases(redis.redis(), properties);
    int shard = 5;
    assertThat(leases.hold(shard, Duration.ofMillis(300))).isTrue();
    assertThat(leases.hold(shard, Duration.ofMillis(300))).isTrue(); // renewed by its holder
    assertThat(other.hold(shard, Duration.ofMillis(300))).isFalse();
    // Once the 300 ms lease ran out, the other worker gets it.
    await().atMost(Duration.ofSeconds(5)).until(() -> other.hold(shard, Duration.ofSeconds(5)));
    assertThat(leases.hold(shard, Duration.ofSeconds(5))).isFalse();
    redis.redis().delete(leases.key(shard));
  }

  @Test
  void anUnavailableHistoryStopsThePassAtTheFirstShard() {
    history.answer(call -> StubHistory.Reply.of(503, "{}"));
    double failed = sweeps("failed");
    relay.runOnce();
    // One failed call for all the shards it held, not one per shard.
    assertThat(history.calls()).hasSize(1);
    assertThat(sweeps("failed") - failed).isEqualTo(DeliveryRelay.SHARDS);
    // The shards it could not sweep are given back at once, for a worker that can.
    for (int shard = 0; shard < DeliveryRelay.SHARDS; shard++) {
      assertThat(redis.redis().hasKey(leases.key(shard))).isFalse();
    }

    // It then leaves all shards to other workers for a lease's time.
    relay.runOnce();
    assertThat(history.calls()).hasSize(1);
    relay.backOffUntil = System.nanoTime();

    // A refusal that is not an outage (here a 400) gives the shards back without a back-off.
    history.reset();
    history.answer(call -> StubHistory.Reply.of(400, "{}"));
    failed = sweeps("failed");
    relay.runOnce();
    assertThat(sweeps("failed") - failed).isEqualTo(DeliveryRelay.SHARDS);
    assertThat(held()).isZero();
    for (int shard = 0; shard < DeliveryRelay.SHARDS; shard++) {
      assertThat(redis.redis().hasKey(leases.key(shard))).isFalse();
    }
    history.reset();
    history.answer(call -> StubHistory.Reply.of(200, "{\"sweeps\":[]}"));
    relay.runOnce();
    assertThat(history.calls()).hasSize(1);
  }

  private double redriven() {
    var counter = meters.find(SyncMetrics.DELIVERY_REDRIVEN).counter();
    return counter == null ? 0 : counter.count();
  }

  private double confirmed(String outcome) {
    var counter = meters.find(SyncMetrics.DELIVERY_CONFIRMATIONS).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private double held() {
    return meters.find(SyncMetrics.DELIVERY_SHARDS).gauge().value();
  }

  private double sweeps(String outcome) {
    var counter = meters.find(SyncMetrics.DELIVERY_SWEEPS).tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }
}
