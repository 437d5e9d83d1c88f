package io.messenger.sync.ack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.sync.SyncExecutors;
import io.messenger.sync.SyncProperties;
import io.messenger.sync.inbox.InMemoryInboxStore;
import io.messenger.sync.inbox.Items;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class AckCoalescerTest {

  private static final UserId ALICE = UserId.of("alice");
  private static final DeviceId PHONE = DeviceId.of("phone");
  private static final DeviceId LAPTOP = DeviceId.of("laptop");

  private final InMemoryInboxStore store = new InMemoryInboxStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AckCoalescer acks =
      new AckCoalescer(
          store,
          new SyncProperties(null, null),
          Clock.systemUTC(),
          meters,
          new SyncExecutors(meters));

  private InboxCursor append(int n) {
    InboxCursor last = null;
    for (int i = 1; i <= n; i++) {
      last = store.append(List.of(ALICE), Items.message("c1", i, "bob")).get(0).cursor();
    }
    return last;
  }

  @Test
  void manyAcksWithinOneWindowCostOneWrite() {
    append(100);
    for (int i = 1; i <= 100; i++) {
      acks.ack(ALICE, PHONE, new InboxCursor(1000 + i, 0));
    }

    assertThat(acks.pending(ALICE, PHONE)).isEqualTo(new InboxCursor(1100, 0));
    acks.flush();

    assertThat(store.ackWrites()).isEqualTo(1);
    assertThat(store.ackedCursor(ALICE, PHONE)).isEqualTo(new InboxCursor(1100, 0));
    assertThat(acks.pending(ALICE, PHONE)).isNull();
    assertThat(meters.counter("messenger.sync.ack.received").count()).isEqualTo(100);
    assertThat(meters.counter("messenger.sync.ack.writes").count()).isEqualTo(1);
  }

  @Test
  void acksAreMonotonicAndPerDevice() {
    append(10);
    acks.ack(ALICE, PHONE, new InboxCursor(1008, 0));
    acks.ack(ALICE, PHONE, new InboxCursor(1003, 0));
    acks.ack(ALICE, LAPTOP, new InboxCursor(1002, 0));
    acks.flush();
    acks.ack(ALICE, PHONE, new InboxCursor(1005, 0));
    acks.flush();

    assertThat(store.ackedCursor(ALICE, PHONE)).isEqualTo(new InboxCursor(1008, 0));
    assertThat(store.ackedCursor(ALICE, LAPTOP)).isEqualTo(new InboxCursor(1002, 0));
  }

  @Test
  void aCursorBeyondTheHeadIsRefused() {
    InboxCursor head = append(3);

    assertThatThrownBy(
            () -> acks.ack(ALICE, PHONE, new InboxCursor(head.millis(), head.sequence() + 1)))
        .isInstanceOf(ApiException.class)
        .satisfies(
            e -> assertThat(((ApiException) e).type().name()).isEqualTo("cursor-beyond-head"));
    acks.ack(ALICE, PHONE, head);
    assertThat(acks.pending(ALICE, PHONE)).isEqualTo(head);
  }

  @Test
  void stopFlushesWhatIsHeld() {
    append(2);
    acks.start();
    acks.ack(ALICE, PHONE, new InboxCursor(1002, 0));
    acks.stop();

    assertThat(store.ackedCursor(ALICE, PHONE)).isEqualTo(new InboxCursor(1002, 0));
    assertThat(acks.isRunning()).isFalse();
  }
}
