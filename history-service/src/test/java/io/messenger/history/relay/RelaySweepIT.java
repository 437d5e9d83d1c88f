package io.messenger.history.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import io.messenger.model.ConversationId;
import io.messenger.support.security.Tokens;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The history side of the delivery relay, through its internal API: every logged event of a marked
 * conversation is handed out once past the checkpoint, with its recipients, and a reported
 * checkpoint is not handed out again.
 */
@HistoryIT
class RelaySweepIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired RelayService relay;

  Api api;
  Writes writes;
  String alice;
  String bob;

  @BeforeEach
  void setUp() {
    api = new Api(port, tokens);
    writes = new Writes(api);
    alice = Api.uniqueUser("alice");
    bob = Api.uniqueUser("bob");
  }

  @Test
  void aSweepHandsOutEveryEventPastTheCheckpointOnce() {
    String cid = writes.group(alice, bob);
    writes.send(cid, alice, "r1", "one");
    writes.send(cid, bob, "r2", "two");
    writes.operate(cid, bob, "r3", java.util.Map.of("type", "read", "upToSeq", 2));
    int shard = CassandraRelayMarks.shardOf(ConversationId.of(cid));

    List<RelayService.Delivery> mine = sweepFor(shard, cid);
    assertThat(mine).extracting(d -> d.event().seq()).containsExactly(1L, 2L, 3L);
    assertThat(mine.get(0).recipients())
        .containsExactlyInAnyOrder(
            io.messenger.model.UserId.of(alice), io.messenger.model.UserId.of(bob));
    // A read marker in a group reaches only its actor.
    assertThat(mine.get(2).recipients()).containsExactly(io.messenger.model.UserId.of(bob));

    // Reported back: nothing is handed out again until a new event is logged.
    assertThat(sweepFor(shard, cid)).isEmpty();
    writes.send(cid, alice, "r4", "four");
    assertThat(sweepFor(shard, cid)).extracting(d -> d.event().seq()).containsExactly(4L);
  }

  @Test
  void theSweepApiIsInternalAndValidated() {
    Api.Answer refused =
        api.post(
            "/internal/v1/relay/sweep",
            api.clientToken(alice, "phone"),
            java.util.Map.of("shard", 0, "after", "", "settleMs", 0));
    assertThat(refused.status()).isIn(401, 403);
    Api.Answer bad =
        api.post(
            "/internal/v1/relay/sweep",
            api.serviceToken(),
            java.util.Map.of("shard", 99, "after", "", "settleMs", 0));
    assertThat(bad.status()).isEqualTo(400);
    Api.Answer ok =
        api.post(
            "/internal/v1/relay/sweep",
            api.serviceToken(),
            java.util.Map.of("shard", 3, "after", "", "settleMs", 60_000));
    assertThat(ok.status()).isEqualTo(200);
    JsonNode body = ok.body();
    assertThat(body.has("deliveries")).isTrue();
  }

  /** Sweeps the whole shard (settle 0), reports the progress, returns the deliveries of cid. */
  private List<RelayService.Delivery> sweepFor(int shard, String cid) {
    List<RelayService.Delivery> mine = new java.util.ArrayList<>();
    String after = "";
    do {
      RelayService.Sweep sweep = relay.sweep(shard, after, Duration.ZERO);
      sweep.deliveries().stream()
          .filter(d -> d.event().conversationId().value().equals(cid))
          .forEach(mine::add);
      relay.advance(sweep.progress());
      after = sweep.next();
    } while (!after.isEmpty());
    return mine;
  }
}
