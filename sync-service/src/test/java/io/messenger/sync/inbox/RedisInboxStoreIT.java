package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import io.messenger.sync.support.RedisExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import tools.jackson.databind.json.JsonMapper;

/** The Redis inbox store against a real Redis: cap, retention, incarnations, dedupe, acks. */
class RedisInboxStoreIT {

  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  private static final DeviceId PHONE = DeviceId.of("phone");
  private static final DeviceId LAPTOP = DeviceId.of("laptop");

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private RedisInboxStore store(int maxEntries, Duration retention) {
    return store(new InboxProperties(maxEntries, retention, false));
  }

  private RedisInboxStore store(InboxProperties properties) {
    return new RedisInboxStore(redis.redis(), JSON, properties, new SimpleMeterRegistry());
  }

  private final RedisInboxStore store = store(1000, Duration.ofDays(7));

  private static InboxCursor append(InboxStore store, UserId user, InboxItem item) {
    AppendResult result = store.append(List.of(user), item).get(0);
    assertThat(result.added()).isTrue();
    return result.cursor();
  }

  private static List<Long> seqs(PullResult result) {
    return result.entries().stream().map(e -> JSON.readTree(e.text()).get("seq").asLong()).toList();
  }

  /** What the API answered for an entry before the stored wire form: EntryDto, serialized. */
  private static String serialized(InboxCursor cursor, InboxItem item) {
    return JSON.writeValueAsString(EntryDto.of(new InboxEntry(cursor, item)));
  }

  @Test
  void entriesComeBackExactlyAsTheirEntryDtoSerializes() {
    UserId user = redis.newUser();
    List<InboxItem> items =
        List.of(
            Items.message("c1", 1, "bob"),
            Items.edit("c1", 2, 1),
            Items.read("c1", 3, 2),
            Items.notification("n-1"));
    List<InboxCursor> cursors = items.stream().map(i -> append(store, user, i)).toList();

    List<WireEntry> entries = store.pull(user, PHONE, InboxCursor.ZERO, null, 10).entries();

    assertThat(entries).extracting(WireEntry::cursor).containsExactlyElementsOf(cursors);
    for (int i = 0; i < items.size(); i++) {
      assertThat(entries.get(i).text()).isEqualTo(serialized(cursors.get(i), items.get(i)));
    }
  }

  @Test
  void anEntryStoredBeforeTheWireFormIsStillServed() {
    UserId user = redis.newUser();
    InboxCursor start = store.pull(user, PHONE, null, null, 10).head();
    InboxItem item = Items.message("c1", 7, "bob");
    // The layout of the first release: the item in 'd', no 'w'.
    redis
        .redis()
        .opsForStream()
        .add(
            org.springframework.data.redis.connection.stream.StreamRecords.string(
                    java.util.Map.of(
                        "d", JSON.writerFor(InboxItem.class).writeValueAsString(item),
                        "k", item.dedupeKey()))
                .withStreamKey(RedisExtension.keysOf(user).get(0)));

    List<WireEntry> entries = store.pull(user, PHONE, start, null, 10).entries();

    assertThat(entries).hasSize(1);
    assertThat(entries.get(0).text()).isEqualTo(serialized(entries.get(0).cursor(), item));
  }

  @Test
  void withTheLegacyFieldOnEntriesAlsoCarryTheItemForOlderInstances() {
    RedisInboxStore upgrading = store(new InboxProperties(1000, Duration.ofDays(7), true));
    UserId user = redis.newUser();
    InboxItem item = Items.message("c1", 1, "bob");
    append(upgrading, user, item);

    var stored =
        redis
            .redis()
            .opsForStream()
            .range(
                RedisExtension.keysOf(user).get(0),
                org.springframework.data.domain.Range.unbounded());

    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).getValue()).containsKeys("w", "k", "d");
    assertThat(JSON.readValue((String) stored.get(0).getValue().get("d"), InboxItem.class))
        .isEqualTo(item);
    assertThat(seqs(upgrading.pull(user, PHONE, InboxCursor.ZERO, null, 10))).containsExactly(1L);
  }

  @Test
  void pullsEntriesStrictlyAfterTheCursorOldestFirstWithLimitAndHasMore() {
    UserId user = redis.newUser();
    InboxCursor first = append(store, user, Items.message("c1", 1, "bob"));
    append(store, user, Items.message("c1", 2, "bob"));
    append(store, user, Items.message("c1", 3, "bob"));
    InboxCursor last = append(store, user, Items.message("c1", 4, "bob"));

    PullResult page = store.pull(user, PHONE, first, null, 2);
    assertThat(page.resync()).isNull();
    assertThat(seqs(page)).containsExactly(2L, 3L);
    assertThat(page.hasMore()).isTrue();

    PullResult rest = store.pull(user, PHONE, page.entries().get(1).cursor(), null, 2);
    assertThat(seqs(rest)).containsExactly(4L);
    assertThat(rest.hasMore()).isFalse();
    assertThat(rest.head()).isEqualTo(last);

    PullResult none = store.pull(user, PHONE, last, null, 10);
    assertThat(none.entries()).isEmpty();
    assertThat(none.resync()).isNull();
    assertThat(none.cursor()).isEqualTo(last);

    assertThat(seqs(store.pull(user, PHONE, InboxCursor.ZERO, null, 10)))
        .containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void aDuplicateAppendLeavesOneEntry() {
    UserId alice = redis.newUser();
    UserId bob = redis.newUser();
    InboxItem item = Items.message("c1", 1, "bob");

    List<AppendResult> first = store.append(List.of(alice, bob), item);
    List<AppendResult> again = store.append(List.of(alice, bob), item);

    assertThat(first).allMatch(AppendResult::added);
    assertThat(again).noneMatch(AppendResult::added);
    assertThat(store.pull(alice, PHONE, InboxCursor.ZERO, null, 10).entries()).hasSize(1);
    assertThat(store.pull(bob, PHONE, InboxCursor.ZERO, null, 10).entries()).hasSize(1);
  }

  @Test
  void theCapDropsTheOldestAndAStaleCursorGetsAGap() {
    RedisInboxStore small = store(3, Duration.ofDays(7));
    UserId user = redis.newUser();
    InboxCursor c1 = append(small, user, Items.message("c1", 1, "bob"));
    InboxCursor c2 = append(small, user, Items.message("c1", 2, "bob"));
    append(small, user, Items.message("c1", 3, "bob"));
    append(small, user, Items.message("c1", 4, "bob"));
    InboxCursor c5 = append(small, user, Items.message("c1", 5, "bob"));

    assertThat(redis.redis().opsForStream().size(RedisExtension.keysOf(user).get(0))).isEqualTo(3);
    PullResult stale = small.pull(user, PHONE, c1, null, 10);
    assertThat(stale.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(stale.entries()).isEmpty();
    assertThat(stale.head()).isEqualTo(c5);
    assertThat(small.pull(user, PHONE, InboxCursor.ZERO, null, 10).resync())
        .isEqualTo(ResyncReason.GAP);

    // The last trimmed entry was delivered: nothing after it is missing.
    PullResult current = small.pull(user, PHONE, c2, null, 10);
    assertThat(current.resync()).isNull();
    assertThat(seqs(current)).containsExactly(3L, 4L, 5L);
  }

  @Test
  void anExpiredCursorGetsAGapEvenWithoutNewWrites() throws InterruptedException {
    RedisInboxStore shortLived = store(1000, Duration.ofSeconds(2));
    UserId user = redis.newUser();
    InboxCursor start = shortLived.pull(user, PHONE, null, null, 10).head();
    InboxCursor c1 = append(shortLived, user, Items.message("c1", 1, "bob"));

    assertThat(seqs(shortLived.pull(user, PHONE, start, null, 10))).containsExactly(1L);
    // An up-to-date device keeps pulling (which keeps the inbox alive) while the entry ages out.
    String stream = RedisExtension.keysOf(user).get(0);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              assertThat(shortLived.pull(user, PHONE, c1, null, 10).resync()).isNull();
              return redis.redis().opsForStream().size(stream) == 0;
            });

    PullResult expired = shortLived.pull(user, LAPTOP, start, null, 10);
    assertThat(expired.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(expired.head()).isEqualTo(c1);
    PullResult upToDate = shortLived.pull(user, PHONE, c1, null, 10);
    assertThat(upToDate.resync()).isNull();
    assertThat(upToDate.entries()).isEmpty();
  }

  @Test
  void anIdleInboxExpiresEntirely() throws InterruptedException {
    RedisInboxStore shortLived = store(1000, Duration.ofSeconds(1));
    UserId user = redis.newUser();
    InboxCursor c1 = append(shortLived, user, Items.message("c1", 1, "bob"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> redis.redis().countExistingKeys(RedisExtension.keysOf(user)) == 0);
    PullResult lost = shortLived.pull(user, PHONE, c1, null, 10);
    assertThat(lost.resync()).isEqualTo(ResyncReason.GAP);
  }

  @Test
  void aLostInboxAnswersAGapWithTheNewHead() {
    UserId user = redis.newUser();
    append(store, user, Items.message("c1", 1, "bob"));
    InboxCursor c2 = append(store, user, Items.message("c1", 2, "bob"));
    redis.loseInbox(user);

    PullResult lost = store.pull(user, PHONE, c2, null, 10);
    assertThat(lost.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(lost.entries()).isEmpty();
    assertThat(lost.head()).isGreaterThan(c2);

    // The client continues from the head it was given.
    InboxCursor c3 = append(store, user, Items.message("c1", 3, "bob"));
    assertThat(c3).isGreaterThan(lost.head());
    PullResult next = store.pull(user, PHONE, lost.head(), null, 10);
    assertThat(next.resync()).isNull();
    assertThat(seqs(next)).containsExactly(3L);
    assertThat(next.head()).isEqualTo(c3);
  }

  @Test
  void everyCursorTheLostInboxCouldHaveIssuedIsAGapEvenFromTheMillisecondOfTheNewOne() {
    UserId user = redis.newUser();
    append(store, user, Items.message("c1", 1, "bob"));
    // The lost incarnation issued nothing after the loss, so the newest cursors it could have
    // issued carry the server's millisecond read right after the loss. Retried until the new
    // incarnation starts in that same millisecond (it mostly does at once), the case where its
    // first entries could get exactly those ids; the assertions hold whichever way it lands.
    PullResult lost;
    long lossMillis;
    int attempts = 0;
    do {
      redis.loseInbox(user);
      lossMillis = redis.serverMillis();
      lost = store.pull(user, PHONE, new InboxCursor(lossMillis, 0), null, 10);
    } while (redis.serverMillis() != lossMillis && ++attempts < 50);
    assertThat(lost.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(lost.head()).isGreaterThan(new InboxCursor(lossMillis, Long.MAX_VALUE));

    // The new incarnation appends, possibly still in that millisecond: after its start, so no
    // cursor of the lost one ever reads as a position in it.
    InboxCursor c2 = append(store, user, Items.message("c1", 2, "bob"));
    InboxCursor c3 = append(store, user, Items.message("c1", 3, "bob"));
    assertThat(c2).isGreaterThan(lost.head());
    for (long seq : new long[] {0, 1, 5}) {
      PullResult stale = store.pull(user, PHONE, new InboxCursor(lossMillis, seq), null, 10);
      assertThat(stale.resync()).as("cursor %d-%d", lossMillis, seq).isEqualTo(ResyncReason.GAP);
      assertThat(stale.entries()).isEmpty();
      assertThat(stale.head()).isEqualTo(c3);
    }
    assertThat(seqs(store.pull(user, PHONE, lost.head(), null, 10))).containsExactly(2L, 3L);
    assertThat(seqs(store.pull(user, PHONE, InboxCursor.ZERO, null, 10))).containsExactly(2L, 3L);
  }

  @Test
  void aLostStreamWithItsMetaStillThereIsAGapToo() {
    UserId user = redis.newUser();
    InboxCursor c1 = append(store, user, Items.message("c1", 1, "bob"));
    redis.redis().delete(RedisExtension.keysOf(user).get(0));

    PullResult lost = store.pull(user, PHONE, c1, null, 10);
    assertThat(lost.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(lost.head()).isGreaterThan(c1);
    // The dedupe keys went with it, so a retried fan-out repopulates the new inbox.
    assertThat(store.append(List.of(user), Items.message("c1", 1, "bob")).get(0).added()).isTrue();
    assertThat(store.pull(user, PHONE, c1, null, 10).resync()).isEqualTo(ResyncReason.GAP);
  }

  @Test
  void aLostInboxWhoseIdsRanAheadOfTheClockStartsAfterItsHead() {
    UserId user = redis.newUser();
    append(store, user, Items.message("c1", 1, "bob"));
    // Ids ahead of the server clock (a clock stepped back after a failover): the meta hash that
    // survived the stream tells the lost head, and the new incarnation starts after it.
    InboxCursor ahead = new InboxCursor(redis.serverMillis() + 60_000, 3);
    redis.redis().opsForHash().put(RedisExtension.keysOf(user).get(1), "last", ahead.toString());
    redis.redis().delete(RedisExtension.keysOf(user).get(0));

    PullResult lost = store.pull(user, PHONE, ahead, null, 10);
    assertThat(lost.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(lost.head()).isGreaterThan(ahead);
    InboxCursor c2 = append(store, user, Items.message("c1", 2, "bob"));
    assertThat(c2).isGreaterThan(lost.head());
    assertThat(store.pull(user, PHONE, ahead, null, 10).resync()).isEqualTo(ResyncReason.GAP);
    assertThat(seqs(store.pull(user, PHONE, lost.head(), null, 10))).containsExactly(2L);
  }

  @Test
  void anInboxWhoseStreamWentBeforeAnyEntryKeepsItsStart() {
    UserId user = redis.newUser();
    InboxCursor start = store.pull(user, PHONE, null, null, 10).head();
    // As an inbox begun before streams were created with their incarnation: nothing was lost.
    redis.redis().delete(RedisExtension.keysOf(user).get(0));

    InboxCursor c1 = append(store, user, Items.message("c1", 1, "bob"));
    assertThat(c1).isGreaterThan(start);
    PullResult next = store.pull(user, PHONE, start, null, 10);
    assertThat(next.resync()).isNull();
    assertThat(seqs(next)).containsExactly(1L);
  }

  @Test
  void aCursorThisInboxNeverIssuedIsAGap() {
    UserId user = redis.newUser();
    InboxCursor c1 = append(store, user, Items.message("c1", 1, "bob"));

    PullResult future = store.pull(user, PHONE, new InboxCursor(c1.millis() + 60_000, 0), null, 10);
    assertThat(future.resync()).isEqualTo(ResyncReason.GAP);
    assertThat(future.head()).isEqualTo(c1);
  }

  @Test
  void aNewDeviceStartsAtTheHeadAndContinuesFromItsAckedCursor() {
    UserId user = redis.newUser();
    append(store, user, Items.message("c1", 1, "bob"));
    InboxCursor c2 = append(store, user, Items.message("c1", 2, "bob"));

    PullResult fresh = store.pull(user, PHONE, null, null, 10);
    assertThat(fresh.resync()).isEqualTo(ResyncReason.NEW_DEVICE);
    assertThat(fresh.head()).isEqualTo(c2);
    assertThat(store.ackedCursor(user, PHONE)).isEqualTo(c2);

    InboxCursor c3 = append(store, user, Items.message("c1", 3, "bob"));
    append(store, user, Items.message("c1", 4, "bob"));
    assertThat(seqs(store.pull(user, PHONE, null, null, 10))).containsExactly(3L, 4L);

    // A held (not yet written) ack counts, and so does a written one.
    assertThat(seqs(store.pull(user, PHONE, null, c3, 10))).containsExactly(4L);
    assertThat(store.ack(user, PHONE, c3)).isTrue();
    assertThat(seqs(store.pull(user, PHONE, null, null, 10))).containsExactly(4L);
  }

  @Test
  void anEmptyNewInboxGivesItsStartAsHead() {
    UserId user = redis.newUser();
    PullResult fresh = store.pull(user, PHONE, null, null, 10);
    assertThat(fresh.resync()).isEqualTo(ResyncReason.NEW_DEVICE);
    assertThat(store.ackedCursor(user, PHONE)).isEqualTo(fresh.head());
    // Its stream exists, empty, with the start as its last id, and expires like the rest.
    var stream = redis.redis().opsForStream().info(RedisExtension.keysOf(user).get(0));
    assertThat(stream.streamLength()).isZero();
    assertThat(stream.lastGeneratedId()).isEqualTo(fresh.head().toString());
    for (String key : RedisExtension.keysOf(user).subList(0, 2)) {
      assertThat(redis.redis().getExpire(key, TimeUnit.SECONDS))
          .as(key)
          .isBetween(Duration.ofDays(7).toSeconds() - 60, Duration.ofDays(7).toSeconds());
    }
    PullResult empty = store.pull(user, PHONE, InboxCursor.ZERO, null, 10);
    assertThat(empty.resync()).isNull();
    assertThat(empty.entries()).isEmpty();
    assertThat(empty.head()).isEqualTo(fresh.head());

    // Even in the millisecond it started, an entry comes after the start.
    append(store, user, Items.message("c1", 1, "bob"));
    assertThat(seqs(store.pull(user, PHONE, fresh.head(), null, 10))).containsExactly(1L);
    assertThat(store.head(user)).isNotNull();
  }

  @Test
  void acksOnlyMoveForward() {
    UserId user = redis.newUser();
    InboxCursor c1 = append(store, user, Items.message("c1", 1, "bob"));
    InboxCursor c2 = append(store, user, Items.message("c1", 2, "bob"));

    assertThat(store.ack(user, PHONE, c2)).isTrue();
    assertThat(store.ack(user, PHONE, c1)).isFalse();
    assertThat(store.ack(user, PHONE, c2)).isFalse();
    assertThat(store.ackedCursor(user, PHONE)).isEqualTo(c2);
    assertThat(store.ackedCursor(user, LAPTOP)).isNull();
    assertThat(store.head(user)).isEqualTo(c2);
  }

  @Test
  void anAckOnALostInboxIsDropped() {
    UserId user = redis.newUser();
    InboxCursor c1 = append(store, user, Items.message("c1", 1, "bob"));
    redis.loseInbox(user);

    assertThat(store.ack(user, PHONE, c1)).isFalse();
    assertThat(store.head(user)).isNull();
    assertThat(redis.redis().countExistingKeys(RedisExtension.keysOf(user))).isZero();
  }

  @Test
  void allKeysOfAUserShareOneHashTagAndExpire() {
    UserId user = redis.newUser();
    append(store, user, Items.message("c1", 1, "bob"));

    for (String key : RedisExtension.keysOf(user)) {
      assertThat(redis.redis().getExpire(key, TimeUnit.SECONDS))
          .as(key)
          .isBetween(Duration.ofDays(7).toSeconds() - 60, Duration.ofDays(7).toSeconds());
    }
  }

  /** Collects what is published on {@code channel} while {@code action} runs. */
  private List<String> published(String channel, int expected, Runnable action) throws Exception {
    List<String> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
    CountDownLatch received = new CountDownLatch(expected);
    RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    container.setConnectionFactory(redis.connections());
    container.addMessageListener(
        (message, pattern) -> {
          messages.add(new String(message.getBody(), java.nio.charset.StandardCharsets.UTF_8));
          received.countDown();
        },
        new ChannelTopic(channel));
    container.afterPropertiesSet();
    container.start();
    try {
      await().until(container::isListening);
      action.run();
      assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
      // nothing more should come
      await()
          .during(Duration.ofMillis(200))
          .atMost(Duration.ofSeconds(2))
          .until(() -> messages.size() == expected);
      return List.copyOf(messages);
    } finally {
      container.stop();
      container.destroy();
    }
  }

  @Test
  void anAppendAnnouncesEachNewEntryWithItsPredecessorAndItsWireForm() throws Exception {
    UserId user = redis.newUser();
    InboxItem first = Items.message("c1", 1, "bob");
    InboxItem second = Items.message("c1", 2, "bob");
    InboxCursor[] cursors = new InboxCursor[2];

    List<String> news =
        published(
            InboxStore.NEWS_CHANNEL,
            2,
            () -> {
              cursors[0] = append(store, user, first);
              cursors[1] = append(store, user, second);
              store.append(List.of(user), second); // a duplicate announces nothing
            });

    assertThat(news).hasSize(2);
    InboxNews a = InboxNews.parse(news.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    InboxNews b = InboxNews.parse(news.get(1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(a.user()).isEqualTo(user);
    assertThat(a.previous()).isNull();
    assertThat(a.entry()).isEqualTo(cursors[0]);
    assertThat(b.previous()).isEqualTo(cursors[0]);
    assertThat(b.entry()).isEqualTo(cursors[1]);
    // What a waiter parked at the first entry answers is exactly what a pull from there returns.
    assertThat(b.soleEntryAfter(cursors[0]))
        .isEqualTo(store.pull(user, PHONE, cursors[0], null, 10).entries().get(0));
    assertThat(b.soleEntryAfter(InboxCursor.ZERO)).isNull();
  }

  @Test
  void aLargeEntryIsAnnouncedWithoutItsBody() throws Exception {
    UserId user = redis.newUser();
    InboxItem big =
        new InboxItem.MessageItem(
            new io.messenger.model.Message(
                io.messenger.model.ConversationId.of("c1"),
                1,
                UserId.of("bob"),
                Items.AT,
                "m-big",
                "\u0001".repeat(4096).translateEscapes()));

    List<String> news = published(InboxStore.NEWS_CHANNEL, 1, () -> append(store, user, big));

    InboxNews parsed =
        InboxNews.parse(news.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(parsed.body()).isNull();
    assertThat(parsed.soleEntryAfter(parsed.entry())).isNull();
  }

  @Test
  void v1CompatibleAppendsAlsoPublishTheUserOnTheOldSignalChannel() throws Exception {
    RedisInboxStore upgrading = store(new InboxProperties(1000, Duration.ofDays(7), true));
    UserId user = redis.newUser();

    List<String> signals =
        published(
            InboxStore.SIGNAL_CHANNEL,
            1,
            () -> append(upgrading, user, Items.message("c1", 1, "bob")));
    List<String> none =
        published(
            InboxStore.SIGNAL_CHANNEL, 0, () -> append(store, user, Items.message("c1", 2, "bob")));

    assertThat(signals).containsExactly(user.value());
    assertThat(none).isEmpty();
  }
}
