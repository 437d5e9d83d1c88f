package io.messenger.sync.relay;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The relay worker against a real Redis and a stub history-service: it holds shard leases, puts
 * every event a sweep hands out into the recipients' inboxes once, counts only the entries it had
 * to add, and reports the sweep's progress back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeliveryRelayIT {

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
  @Autowired RelayLeases leases;
  @Autowired DeliveryProperties properties;
  @Autowired InboxService inbox;
  @Autowired InboxStore store;
  @Autowired MeterRegistry meters;

  @BeforeEach
  void reset() {
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
          if (call.path().endsWith("/relay/sweep")) {
            return StubHistory.Reply.of(
                200,
                """
                {"deliveries":[{"message":%s,"recipients":["%s","%s"]}],
                 "progress":[{"conversationId":"%s","upToSeq":7,"coveredMark":0,"clearMark":0}],
                 "next":""}
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
    List<StubHistory.Call> advances =
        history.calls().stream().filter(c -> c.path().endsWith("/relay/advance")).toList();
    // Every shard was swept and reported on, in both passes.
    assertThat(advances).hasSize(2 * DeliveryRelay.SHARDS);
    assertThat(advances.get(0).body()).contains("\"upToSeq\":7");
    assertThat(advances.get(0).authorization()).startsWith("Bearer ");
  }

  @Test
  void aShardLeaseIsHeldByOneWorkerUntilItRunsOut() throws Exception {
    RelayLeases other = new RelayLeases(redis.redis(), properties);
    int shard = 5;
    assertThat(leases.hold(shard, Duration.ofMillis(300))).isTrue();
    assertThat(leases.hold(shard, Duration.ofMillis(300))).isTrue(); // renewed by its holder
    assertThat(other.hold(shard, Duration.ofMillis(300))).isFalse();
    Thread.sleep(400);
    assertThat(other.hold(shard, Duration.ofSeconds(5))).isTrue();
    assertThat(leases.hold(shard, Duration.ofSeconds(5))).isFalse();
    redis.redis().delete(leases.key(shard));
  }

  @Test
  void anUnavailableHistoryStopsThePassAtTheFirstShard() {
    history.answer(call -> StubHistory.Reply.of(503, "{}"));
    double failed = sweeps("failed");
    relay.runOnce();
    // One failed sweep, not sixteen: each would cost the failing history-service a request.
    assertThat(sweeps("failed") - failed).isEqualTo(1);
    assertThat(history.calls()).hasSize(1);
    // The shard it could not sweep is given back at once, for a worker that can.
    assertThat(redis.redis().hasKey(leases.key(0))).isFalse();

    // It then leaves all shards to other workers for a lease's time.
    relay.runOnce();
    assertThat(history.calls()).hasSize(1);
    relay.backOffUntil = System.nanoTime();

    // A refusal that is not an outage (here a 400) is the shard's own: the others are tried.
    history.reset();
    history.answer(call -> StubHistory.Reply.of(400, "{}"));
    failed = sweeps("failed");
    relay.runOnce();
    assertThat(sweeps("failed") - failed).isEqualTo(DeliveryRelay.SHARDS);
    assertThat(held()).isZero();
    for (int shard = 0; shard < DeliveryRelay.SHARDS; shard++) {
      assertThat(redis.redis().hasKey(leases.key(shard))).isFalse();
    }
  }

  private double redriven() {
    var counter = meters.find(SyncMetrics.DELIVERY_REDRIVEN).counter();
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
