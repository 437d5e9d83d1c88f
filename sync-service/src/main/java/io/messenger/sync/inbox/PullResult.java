package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import java.util.List;
import java.util.Objects;

/**
 * What the store answers to a pull.
 *
 * @param resync {@code null} when {@code entries} follow {@code cursor} without a gap; otherwise
 *     why the device must re-read history, and {@code entries} is empty
 * @param head the newest cursor of the inbox (its last generated id, or the incarnation start)
 * @param cursor the cursor the pull started from (the given one, or the device's acked cursor); on
 *     {@code new_device} the head
 * @param entries the entries strictly after {@code cursor}, oldest first, at most the limit
 * @param hasMore whether more entries follow the last one returned
 * @param largeGroups the caller's large groups with news for this device, oldest news first
 * @param largeGroupsHasMore whether more large groups have news than {@code largeGroups} holds
 * @param largeGroupState the device's side of the large-group index, read with the inbox: what
 *     {@code largeGroups} is computed from (never sent to the device)
 */
public record PullResult(
    ResyncReason resync,
    InboxCursor head,
    InboxCursor cursor,
    List<WireEntry> entries,
    boolean hasMore,
    List<LargeGroupNews> largeGroups,
    boolean largeGroupsHasMore,
    LargeGroupState largeGroupState) {

  public PullResult {
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(cursor, "cursor");
    Objects.requireNonNull(largeGroupState, "largeGroupState");
    entries = List.copyOf(entries);
    largeGroups = List.copyOf(largeGroups);
  }

  /** An answer without large-group news, of a user in no large group. */
  public PullResult(
      ResyncReason resync,
      InboxCursor head,
      InboxCursor cursor,
      List<WireEntry> entries,
      boolean hasMore) {
    this(resync, head, cursor, entries, hasMore, List.of(), false, LargeGroupState.NONE);
  }

  /** This answer with the large-group news {@code news} (and whether more is pending). */
  public PullResult with(List<LargeGroupNews> news, boolean newsHasMore) {
    return new PullResult(
        resync, head, cursor, entries, hasMore, news, newsHasMore, largeGroupState);
  }

  /** Whether the device has something to act on: entries, large-group news or a resync. */
  public boolean hasNews() {
    return resync != null || !entries.isEmpty() || !largeGroups.isEmpty();
  }
}
