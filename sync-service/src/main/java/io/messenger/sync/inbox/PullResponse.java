package io.messenger.sync.inbox;

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
 */
record PullResponse(List<EntryDto> entries, String nextCursor, boolean hasMore, Resync resync) {

  /** A resync signal: re-read conversations and history, then continue from {@code headCursor}. */
  record Resync(ResyncReason reason, String headCursor) {}

  /** The answer to a pull that found a gap or a new device: no entries, continue from the head. */
  static PullResponse resync(PullResult result) {
    String head = result.head().toString();
    return new PullResponse(List.of(), head, false, new Resync(result.resync(), head));
  }

  /** The cursor to continue from: the last entry's, or where the pull started when none. */
  static String nextCursor(PullResult result) {
    return result.entries().isEmpty()
        ? result.cursor().toString()
        : result.entries().get(result.entries().size() - 1).cursor().toString();
  }
}
