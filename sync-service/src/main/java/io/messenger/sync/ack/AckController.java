package io.messenger.sync.ack;

import io.messenger.model.ConversationId;
import io.messenger.model.Limits;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.Caller;
import io.messenger.sync.inbox.Cursors;
import io.messenger.sync.largegroup.LargeGroupStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/sync/ack {cursor?, largeGroups?}}: the device has everything up to the cursor,
 * and, in each named large group, every event up to the given seq.
 */
@RestController
@Tag(name = "inbox", description = "The caller's offline inbox: pull, long-poll, ack")
class AckController {

  /** The most large groups one ack may name. */
  static final int MAX_LARGE_GROUPS = 1000;

  /** The ack body; {@code cursor} is checked by hand for a precise problem type. */
  record AckRequest(String cursor, Map<String, Long> largeGroups) {}

  private final AckCoalescer acks;
  private final LargeGroupStore largeGroups;

  AckController(AckCoalescer acks, LargeGroupStore largeGroups) {
    this.acks = acks;
    this.largeGroups = largeGroups;
  }

  @Operation(
      summary = "Acknowledge the inbox up to a cursor",
      description =
          "Cumulative; an older cursor is a no-op. Acks never move a cursor backwards. largeGroups"
              + " acknowledges, per large group, the events up to a seq (cumulative per device and"
              + " group, like the cursor); groups the caller is not in are ignored.")
  @ApiResponse(responseCode = "204", description = "Acknowledged (or already acknowledged)")
  @ApiResponse(
      responseCode = "400",
      description =
          "Neither cursor nor largeGroups, a malformed cursor (malformed-cursor), one beyond the inbox head (cursor-beyond-head), or largeGroups with more than 1,000 groups, a malformed id or a negative seq (validation)")
  @PostMapping("/v1/sync/ack")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void ack(Caller caller, @RequestBody AckRequest request) {
    if (request == null || (request.cursor() == null && request.largeGroups() == null)) {
      throw ApiException.badRequest(ProblemType.VALIDATION, "cursor or largeGroups is required");
    }
    Map<ConversationId, Long> groups = groups(request.largeGroups());
    if (request.cursor() != null) {
      acks.ack(caller.userId(), caller.deviceId(), Cursors.parse(request.cursor()));
    }
    if (!groups.isEmpty()) {
      largeGroups.ack(caller.userId(), caller.deviceId(), groups);
    }
  }

  private static Map<ConversationId, Long> groups(Map<String, Long> named) {
    if (named == null) {
      return Map.of();
    }
    if (named.size() > MAX_LARGE_GROUPS) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "largeGroups names at most " + MAX_LARGE_GROUPS + " groups");
    }
    Map<ConversationId, Long> groups = new LinkedHashMap<>();
    named.forEach(
        (id, seq) -> {
          if (!Limits.isValidId(id)) {
            throw ApiException.badRequest(
                ProblemType.VALIDATION,
                "largeGroups keys must be conversation ids matching "
                    + Limits.ID_PATTERN.pattern());
          }
          if (seq == null || seq < 0 || seq > MAX_SEQ) {
            throw ApiException.badRequest(
                ProblemType.VALIDATION, "largeGroups values must be seqs from 0 to " + MAX_SEQ);
          }
          groups.put(ConversationId.of(id), seq);
        });
    return groups;
  }

  /** Seqs stay exact in the store's scripts (Lua numbers are doubles). */
  private static final long MAX_SEQ = (1L << 53) - 1;
}
