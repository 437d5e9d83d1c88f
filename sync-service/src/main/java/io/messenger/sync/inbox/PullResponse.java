package io.messenger.sync.inbox;

import java.util.List;

/**
 * The answer of {@code GET /v1/sync}.
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

  static PullResponse of(PullResult result) {
    if (result.resync() != null) {
      String head = result.head().toString();
      return new PullResponse(List.of(), head, false, new Resync(result.resync(), head));
    }
    List<EntryDto> entries = result.entries().stream().map(EntryDto::of).toList();
    String next =
        result.entries().isEmpty()
            ? result.cursor().toString()
            : result.entries().get(result.entries().size() - 1).cursor().toString();
    return new PullResponse(entries, next, result.hasMore(), null);
  }
}
