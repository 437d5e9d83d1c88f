package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link InboxStore} shares, run against the Redis store ({@link
 * RedisInboxStoreContractIT}) and the in-memory fake the unit tests use ({@link
 * InMemoryInboxStoreTest}), so that the fake cannot drift from the real thing. Only what the
 * interface promises is asserted: relations between cursors, never their values (the Redis store's
 * are server time), and nothing of the cap, the retention or lost incarnations (Redis only: {@link
 * RedisInboxStoreIT}).
 */
abstract class InboxStoreContract {

  static final DeviceId PHONE = DeviceId.of("phone");
  static final DeviceId LAPTOP = DeviceId.of("laptop");

  /** The store under test; the same instance for one test. */
  abstract InboxStore store();

  /** A user no other test uses. */
  abstract UserId newUser();

  private InboxCursor append(UserId user, InboxItem item) {
    AppendResult result = store().append(List.of(user), item).get(0);
    assertThat(result.added()).isTrue();
    return result.cursor();
  }

  /** Registers the device (a first pull: new_device) and returns the head it was given. */
  private InboxCursor register(UserId user, DeviceId device) {
    return store().pull(user, device, null, null, 10).head();
  }

  private static List<InboxCursor> cursors(PullResult result) {
    return result.entries().stream().map(WireEntry::cursor).toList();
  }

  @Test
  void anInboxThatDoesNotExistHasNoHeadAndTakesNoAck() {
    UserId user = newUser();

    assertThat(store().head(user)).isNull();
    assertThat(store().ack(user, PHONE, new InboxCursor(5, 0))).isFalse();
    assertThat(store().ackedCursor(user, PHONE)).isNull();
  }

  @Test
  void aNewDeviceIsToldToResyncAndContinuesFromTheHeadItWasGiven() {
    UserId user = newUser();

    PullResult first = store().pull(user, PHONE, null, null, 10);

    assertThat(first.resync()).isEqualTo(ResyncReason.NEW_DEVICE);
    assertThat(first.entries()).isEmpty();
    assertThat(first.cursor()).isEqualTo(first.head());
    assertThat(store().head(user)).isEqualTo(first.head());

    InboxCursor c1 = append(user, Items.message("c1", 1, "bob"));
    assertThat(c1.isAfter(first.head())).isTrue();
    assertThat(store().head(user)).isEqualTo(c1);

    PullResult next = store().pull(user, PHONE, null, null, 10);
    assertThat(next.resync()).isNull();
    assertThat(next.cursor()).isEqualTo(first.head());
    assertThat(cursors(next)).containsExactly(c1);
    // Another device of the same user is new, with its own cursor at the head.
    assertThat(store().pull(user, LAPTOP, null, null, 10).resync())
        .isEqualTo(ResyncReason.NEW_DEVICE);
  }

  @Test
  void entriesFollowTheCursorOldestFirstUpToTheLimit() {
    UserId user = newUser();
    InboxCursor start = register(user, PHONE);
    InboxCursor c1 = append(user, Items.message("c1", 1, "bob"));
    InboxCursor c2 = append(user, Items.edit("c1", 2, 1));
    InboxCursor c3 = append(user, Items.notification("n-1"));
    assertThat(c2.isAfter(c1)).isTrue();
    assertThat(c3.isAfter(c2)).isTrue();

    PullResult page = store().pull(user, PHONE, start, null, 2);
    assertThat(cursors(page)).containsExactly(c1, c2);
    assertThat(page.hasMore()).isTrue();
    assertThat(page.head()).isEqualTo(c3);
    assertThat(page.cursor()).isEqualTo(start);

    PullResult rest = store().pull(user, PHONE, c2, null, 2);
    assertThat(cursors(rest)).containsExactly(c3);
    assertThat(rest.hasMore()).isFalse();

    PullResult none = store().pull(user, PHONE, c3, null, 2);
    assertThat(none.resync()).isNull();
    assertThat(none.entries()).isEmpty();
    assertThat(none.hasNews()).isFalse();

    assertThat(cursors(store().pull(user, PHONE, InboxCursor.ZERO, null, 10)))
        .as("0-0 reads the whole inbox")
        .containsExactly(c1, c2, c3);
  }

  @Test
  void anAppendIsIdempotentPerDedupeKeyAndReachesEveryUser() {
    UserId alice = newUser();
    UserId bob = newUser();
    InboxCursor start = register(alice, PHONE);
    InboxItem item = Items.message("c1", 1, "bob");

    List<AppendResult> first = store().append(List.of(alice, bob), item);
    assertThat(first).extracting(AppendResult::user).containsExactly(alice, bob);
    assertThat(first).allMatch(AppendResult::added);

    List<AppendResult> again = store().append(List.of(alice, bob), item);
    assertThat(again).noneMatch(AppendResult::added);
    assertThat(again.get(0).cursor()).as("the head").isEqualTo(first.get(0).cursor());

    assertThat(cursors(store().pull(alice, PHONE, start, null, 10)))
        .containsExactly(first.get(0).cursor());
    assertThat(store().pull(bob, PHONE, InboxCursor.ZERO, null, 10).entries()).hasSize(1);
  }

  @Test
  void aCursorBeyondTheHeadIsAGap() {
    UserId user = newUser();
    register(user, PHONE);
    InboxCursor head = append(user, Items.message("c1", 1, "bob"));

    PullResult beyond =
        store().pull(user, PHONE, new InboxCursor(head.millis() + 1_000, 0), null, 10);

    assertThat(beyond.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(beyond.entries()).isEmpty();
    assertThat(beyond.head()).isEqualTo(head);
  }

  @Test
  void acksOnlyMoveForwardAndACursorlessPullStartsAtTheAck() {
    UserId user = newUser();
    register(user, PHONE);
    InboxCursor c1 = append(user, Items.message("c1", 1, "bob"));
    InboxCursor c2 = append(user, Items.message("c1", 2, "bob"));

    assertThat(store().ack(user, PHONE, c1)).isTrue();
    assertThat(store().ack(user, PHONE, c2)).isTrue();
    assertThat(store().ack(user, PHONE, c1)).as("older").isFalse();
    assertThat(store().ack(user, PHONE, c2)).as("the same").isFalse();
    assertThat(store().ackedCursor(user, PHONE)).isEqualTo(c2);
    assertThat(store().ackedCursor(user, LAPTOP)).isNull();

    PullResult next = store().pull(user, PHONE, null, null, 10);
    assertThat(next.resync()).isNull();
    assertThat(next.cursor()).isEqualTo(c2);
    assertThat(next.entries()).isEmpty();
  }

  @Test
  void aPendingAckNewerThanTheStoredOneWins() {
    UserId user = newUser();
    InboxCursor start = register(user, PHONE);
    InboxCursor c1 = append(user, Items.message("c1", 1, "bob"));
    InboxCursor c2 = append(user, Items.message("c1", 2, "bob"));
    store().ack(user, PHONE, c1);

    assertThat(store().pull(user, PHONE, null, c2, 10).cursor()).isEqualTo(c2);
    assertThat(store().pull(user, PHONE, null, start, 10).cursor()).isEqualTo(c1);
    // A given cursor is taken as it is.
    assertThat(cursors(store().pull(user, PHONE, start, c2, 10))).containsExactly(c1, c2);
    // A device without a stored ack starts from its pending one.
    assertThat(store().pull(user, LAPTOP, null, c1, 10).resync()).isNull();
    assertThat(cursors(store().pull(user, LAPTOP, null, c1, 10))).containsExactly(c2);
  }
}
