package io.messenger.sync.largegroup;

import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.sync.inbox.LargeGroupNews;
import io.messenger.sync.inbox.LargeGroupState;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The index of large groups (read diffusion): per group its head (the newest seq every member must
 * hear of) and its large periods; per user the large groups they are in and the seq they joined at;
 * per device what it acknowledged of each. The layout is in {@code docs/data-layout.md} ("Redis
 * (sync-service)"), the design in {@code docs/architecture.md} ("Large groups").
 */
public interface LargeGroupStore {

  /** At most this many groups with news in one pull answer. */
  int MAX_NEWS = 100;

  /**
   * The group is a large group from after {@code fromSeq} (0 at creation): opens a large period
   * unless one is open, and puts the group in each member's index (keeping the entry of a member
   * already there).
   */
  void opened(ConversationId id, long fromSeq, Collection<UserId> members);

  /** {@code users} joined the large group when its newest event was {@code joinSeq}. */
  void joined(ConversationId id, long joinSeq, Collection<UserId> users);

  /** {@code users} left the group: it leaves their index. */
  void left(ConversationId id, Collection<UserId> users);

  /** The group went back to write diffusion after {@code lastSeq}: closes its large period. */
  void closed(ConversationId id, long lastSeq);

  /**
   * An event every member must hear of was logged at {@code seq}: moves the head and wakes the
   * members' long-polls. Idempotent; an older seq changes nothing.
   *
   * @return whether the head moved
   */
  boolean advance(ConversationId id, long seq, Instant at);

  /**
   * Whether {@code seq} lies in one of the group's large periods, i.e. read diffusion carries it
   * whatever mode the group has now (the relay sweeps an event with the group's current mode).
   */
  boolean readDiffused(ConversationId id, long seq);

  /**
   * The large groups in which the pulling device has news, those with the oldest news first, at
   * most {@link #MAX_NEWS}, from the device's side of the index, which the pull read with the inbox
   * ({@link io.messenger.sync.inbox.InboxStore#pull}). Reads the groups' heads only: nothing at all
   * for a user in no large group.
   */
  Pending pending(LargeGroupState state);

  /**
   * Moves the device's acknowledged seq of each group forward (groups the user is not in are
   * ignored).
   *
   * @return how many moved
   */
  int ack(UserId user, DeviceId device, Map<ConversationId, Long> seqs);

  /**
   * The answer for one pull.
   *
   * @param news the groups with news, oldest news first
   * @param hasMore whether more groups have news than {@code news} holds
   * @param groups every large group of the user (a parked long-poll wakes on news in any of them)
   * @param quiet the groups without news whose newest large period is open, each with what the
   *     device has of it: the next news of such a group, at seq N, is {@code (afterSeq = that,
   *     lastSeq = N)}, so a parked long-poll woken by it can answer without reading Redis again
   */
  /**
   * A group without news for the device: it has everything up to {@code have}, and the group's
   * newest large period, open, started at {@code periodStart}.
   */
  record Quiet(long have, long periodStart) {}

  record Pending(
      List<LargeGroupNews> news,
      boolean hasMore,
      Set<ConversationId> groups,
      Map<ConversationId, Quiet> quiet) {
    public static final Pending NONE = new Pending(List.of(), false, Set.of(), Map.of());

    public Pending {
      news = List.copyOf(news);
      groups = Set.copyOf(groups);
      quiet = Map.copyOf(quiet);
    }

    public Pending(List<LargeGroupNews> news, boolean hasMore, Set<ConversationId> groups) {
      this(news, hasMore, groups, Map.of());
    }
  }
}
