package io.messenger.sync.inbox;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.util.RawValue;

/**
 * The answer of {@code GET /v1/sync}.
 *
 * @param entries the entries after the cursor, oldest first: each an {@link EntryDto} object,
 *     copied as stored ({@link WireEntry}) rather than serialized per pull
 * @param nextCursor the cursor of the last entry returned; the starting cursor when none; the head
 *     on a resync
 * @param hasMore whether more entries follow
 * @param resync {@code null}, or why the device must re-read history and where to continue
 */
record PullResponse(
    @ArraySchema(schema = @Schema(implementation = EntryDto.class)) List<RawValue> entries,
    String nextCursor,
    boolean hasMore,
    Resync resync) {

  /** A resync signal: re-read conversations and history, then continue from {@code headCursor}. */
  record Resync(ResyncReason reason, String headCursor) {}

  static PullResponse of(PullResult result) {
    if (result.resync() != null) {
      String head = result.head().toString();
      return new PullResponse(List.of(), head, false, new Resync(result.resync(), head));
    }
    List<RawValue> entries = new ArrayList<>(result.entries().size());
    for (WireEntry entry : result.entries()) {
      entries.add(new RawValue(entry.json()));
    }
    String next =
        result.entries().isEmpty()
            ? result.cursor().toString()
            : result.entries().get(result.entries().size() - 1).cursor().toString();
    return new PullResponse(entries, next, result.hasMore(), null);
  }
}
