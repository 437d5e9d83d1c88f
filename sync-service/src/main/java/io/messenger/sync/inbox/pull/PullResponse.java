package io.messenger.sync.inbox.pull;

import io.messenger.sync.inbox.EntryDto;
import io.messenger.sync.inbox.PullResult;
import io.messenger.sync.inbox.ResyncReason;
import java.util.List;

/**
 * The answer of {@code GET /v1/sync}: its documented schema. The service writes it with {@link
 * PullJson}, which assembles answers with entries from their stored wire form and produces exactly
 * the JSON this record serializes to.
 *
 * @param entries the entries after the cursor, oldest first
 * @param nextCursor the cursor of the last entry returned; the starting cursor when none; the head
 *     on a resync
 * @param hasMore whether more entries follow
 * @param resync {@code null}, or why the device must re-read history and where to continue
 * @param largeGroups the caller's large groups with news for this device (at most 100, oldest news
 *     first): read each one's events after {@code afterSeq}, then acknowledge {@code lastSeq}
 * @param largeGroupsHasMore whether more large groups have news
 */
record PullResponse(
    List<EntryDto> entries,
    String nextCursor,
    boolean hasMore,
    Resync resync,
    List<LargeGroup> largeGroups,
    boolean largeGroupsHasMore) {

  /** News in one large group: its events after {@code afterSeq} up to {@code lastSeq}. */
  record LargeGroup(String conversationId, long lastSeq, long afterSeq) {

    static List<LargeGroup> of(PullResult result) {
      return result.largeGroups().stream()
          .map(n -> new LargeGroup(n.conversationId().value(), n.lastSeq(), n.afterSeq()))
          .toList();
    }
  }

  /** A resync signal: re-read conversations and history, then continue from {@code headCursor}. */
  record Resync(ResyncReason reason, String headCursor) {}

  /** The answer to a pull that found a gap or a new device: no entries, continue from the head. */
  static PullResponse resync(PullResult result) {
    String head = result.head().toString();
    return new PullResponse(
        List.of(),
        head,
        false,
        new Resync(result.resync(), head),
        LargeGroup.of(result),
        result.largeGroupsHasMore());
  }

  /** The cursor to continue from: the last entry's, or where the pull started when none. */
  static String nextCursor(PullResult result) {
    return result.entries().isEmpty()
        ? result.cursor().toString()
        : result.entries().get(result.entries().size() - 1).cursor().toString();
  }
}
