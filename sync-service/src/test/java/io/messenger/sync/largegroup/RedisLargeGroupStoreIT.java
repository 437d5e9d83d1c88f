package io.messenger.sync.largegroup;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.sync.inbox.InboxProperties;
import io.messenger.sync.inbox.InboxStore;
import io.messenger.sync.inbox.LargeGroupNews;
import io.messenger.sync.inbox.RedisInboxStores;
import io.messenger.sync.support.RedisExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The large-group index against a real Redis: news per device from joins, acks and heads; periods
 * of read diffusion and the write-diffusion gaps between them; writes that race a shrink.
 */
class RedisLargeGroupStoreIT {

  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  private static final DeviceId PHONE = DeviceId.of("phone");
  private static final DeviceId LAPTOP = DeviceId.of("laptop");
  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static final InboxProperties INBOX = new InboxProperties(1000, Duration.ofDays(7), false);

  private final RedisLargeGroupStore store = new RedisLargeGroupStore(redis.redis(), INBOX);
  private final InboxStore inboxes = RedisInboxStores.on(redis.redis(), INBOX);

  private static ConversationId newGroup() {
    return ConversationId.of("lg" + UUID.randomUUID().toString().replace("-", ""));
  }

  /** What a pull by the device reports: the index as its inbox script read it, then the heads. */
  private LargeGroupStore.Pending pending(UserId user, DeviceId device) {
    return store.pending(inboxes.pull(user, device, null, null, 1).largeGroupState());
  }

  private LargeGroupNews only(UserId user, DeviceId device) {
    LargeGroupStore.Pending pending = pending(user, device);
    assertThat(pending.news()).hasSize(1);
    return pending.news().get(0);
  }

  @Test
  void aMemberHearsOfEveryEventAfterTheGroupBecameLargeUntilTheDeviceAcknowledgesIt() {
    UserId ann = redis.newUser();
    UserId bob = redis.newUser();
    ConversationId group = newGroup();
    store.opened(group, 0, List.of(ann, bob));
    assertThat(pending(ann, PHONE).news()).isEmpty();
    assertThat(pending(ann, PHONE).groups()).containsExactly(group);

    assertThat(store.advance(group, 1, T0)).isTrue();
    assertThat(store.advance(group, 2, T0.plusMillis(1))).isTrue();
    assertThat(store.advance(group, 2, T0.plusMillis(1))).isFalse(); // a repeat: nothing moves

    assertThat(only(ann, PHONE)).isEqualTo(new LargeGroupNews(group, 0, 2, T0.toEpochMilli() + 1));
    assertThat(store.ack(ann, PHONE, Map.of(group, 2L))).isEqualTo(1);
    assertThat(pending(ann, PHONE).news()).isEmpty();
    // Per device: the laptop has not acknowledged anything, nor has bob.
    assertThat(only(ann, LAPTOP).afterSeq()).isZero();
    assertThat(only(bob, PHONE).lastSeq()).isEqualTo(2);
    // Acks only move forward, and only for groups the user is in.
    assertThat(store.ack(ann, PHONE, Map.of(group, 1L))).isZero();
    assertThat(store.ack(ann, PHONE, Map.of(newGroup(), 5L))).isZero();
  }

  @Test
  void aMemberWhoJoinsLaterHearsOnlyOfWhatFollowsTheJoin() {
    UserId ann = redis.newUser();
    UserId cid = redis.newUser();
    ConversationId group = newGroup();
    store.opened(group, 0, List.of(ann));
    for (long seq = 1; seq <= 5; seq++) {
      store.advance(group, seq, T0);
    }
    store.joined(group, 5, List.of(cid));
    assertThat(pending(cid, PHONE).news()).isEmpty();
    store.advance(group, 6, T0);
    assertThat(only(cid, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(5L, 6L);

    store.left(group, List.of(cid));
    assertThat(pending(cid, PHONE).groups()).isEmpty();
  }

  @Test
  void eventsOfTheWriteDiffusionPeriodBetweenTwoLargePeriodsAreNotReportedAgain() {
    UserId ann = redis.newUser();
    ConversationId group = newGroup();
    // Small up to seq 10, large from 10 to 20, small again to 30, large again from 30.
    store.opened(group, 10, List.of(ann));
    store.advance(group, 15, T0);
    store.closed(group, 20); // the history-service's hint of its newest seq at the shrink
    store.opened(group, 30, List.of(ann));
    store.advance(group, 33, T0);

    // A device that acknowledged nothing reads the first period (to its end: events up to the
    // shrink that did not move the head, such as others' read markers, are there), then the
    // second, skipping 21..30, which went to the inboxes.
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(10L, 20L);
    store.ack(ann, PHONE, Map.of(group, 20L));
    // What read diffusion carried, whatever the group's mode is now: 11..20 and 31 on.
    assertThat(store.readDiffused(group, 10)).isFalse();
    assertThat(store.readDiffused(group, 11)).isTrue();
    assertThat(store.readDiffused(group, 20)).isTrue();
    assertThat(store.readDiffused(group, 25)).isFalse();
    assertThat(store.readDiffused(group, 31)).isTrue();
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(30L, 33L);
  }

  @Test
  void aQuietGroupsNextNewsIsWhatItsQuietStateSays() {
    // What a parked long-poll answers without reading again (PullService.Waiter#answerByGroup) must
    // be what a re-read gives: (afterSeq = have, lastSeq = the news's seq) in the same period.
    UserId ann = redis.newUser();
    ConversationId group = newGroup();
    store.opened(group, 10, List.of(ann));
    store.advance(group, 15, T0);
    store.ack(ann, PHONE, Map.of(group, 15L));
    assertThat(pending(ann, PHONE).news()).isEmpty();
    assertThat(pending(ann, PHONE).quiet())
        .containsExactly(Map.entry(group, new LargeGroupStore.Quiet(15, 10)));
    store.advance(group, 18, T0);
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(15L, 18L);
    assertThat(pending(ann, PHONE).quiet()).isEmpty(); // news now: not quiet

    // A closed period is never quiet-open: a re-read decides what its stretch would mean.
    store.ack(ann, PHONE, Map.of(group, 18L));
    store.closed(group, 20);
    assertThat(pending(ann, PHONE).news()).isEmpty();
    assertThat(pending(ann, PHONE).quiet()).isEmpty();

    // A new period, while the closed one ends above the head (19 and 20 did not move it): not
    // quiet, because the head's next move makes that tail news first.
    store.opened(group, 30, List.of(ann));
    assertThat(pending(ann, PHONE).news()).isEmpty();
    assertThat(pending(ann, PHONE).quiet()).isEmpty();
    store.advance(group, 33, T0);
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(18L, 20L);
    store.ack(ann, PHONE, Map.of(group, 20L));
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(30L, 33L);

    // Read to the head in the open period: quiet under that period's start.
    store.ack(ann, PHONE, Map.of(group, 33L));
    assertThat(pending(ann, PHONE).quiet())
        .containsExactly(Map.entry(group, new LargeGroupStore.Quiet(33, 30)));
    store.advance(group, 35, T0);
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(33L, 35L);
  }

  @Test
  void aWriteThatDecidedOnReadDiffusionJustBeforeAShrinkIsStillReported() {
    UserId ann = redis.newUser();
    ConversationId group = newGroup();
    store.opened(group, 0, List.of(ann));
    store.advance(group, 4, T0);
    store.closed(group, 4);
    store.ack(ann, PHONE, Map.of(group, 4L));
    // seq 5 was written as a large-group event, but announced after the shrink was recorded.
    assertThat(store.advance(group, 5, T0)).isTrue();
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(4L, 5L);
  }

  @Test
  void aWriteThatBeatsTheGroupsRegistrationOpensItsPeriod() {
    UserId ann = redis.newUser();
    ConversationId group = newGroup();
    assertThat(store.advance(group, 7, T0)).isTrue(); // no head yet: made, from seq 6
    store.opened(group, 5, List.of(ann)); // the membership change's registration, late
    assertThat(only(ann, PHONE))
        .extracting(LargeGroupNews::afterSeq, LargeGroupNews::lastSeq)
        .containsExactly(6L, 7L);
  }

  @Test
  void newsComesOldestFirstAndAtMostOneHundredGroupsAtATime() {
    UserId ann = redis.newUser();
    for (int i = 0; i < 105; i++) {
      ConversationId group = newGroup();
      store.opened(group, 0, List.of(ann));
      store.advance(group, 1, T0.plusSeconds(200 - i));
    }
    LargeGroupStore.Pending pending = pending(ann, PHONE);
    assertThat(pending.news()).hasSize(LargeGroupStore.MAX_NEWS);
    assertThat(pending.hasMore()).isTrue();
    assertThat(pending.groups()).hasSize(105);
    assertThat(pending.news()).extracting(LargeGroupNews::at).isSorted();
    assertThat(pending.news().get(0).at()).isEqualTo(T0.plusSeconds(96).toEpochMilli());
  }
}
