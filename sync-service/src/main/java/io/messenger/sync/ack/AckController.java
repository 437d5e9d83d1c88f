package io.messenger.sync.ack;

import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.Caller;
import io.messenger.sync.inbox.Cursors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /v1/sync/ack {cursor}}: the device has everything up to the cursor. */
@RestController
@Tag(name = "inbox", description = "The caller's offline inbox: pull, long-poll, ack")
class AckController {

  /** The ack body; {@code cursor} is checked by hand for a precise problem type. */
  record AckRequest(String cursor) {}

  private final AckCoalescer acks;

  AckController(AckCoalescer acks) {
    this.acks = acks;
  }

  @Operation(
      summary = "Acknowledge the inbox up to a cursor",
      description = "Cumulative; an older cursor is a no-op. Acks never move a cursor backwards.")
  @ApiResponse(responseCode = "204", description = "Acknowledged (or already acknowledged)")
  @ApiResponse(
      responseCode = "400",
      description =
          "A missing or malformed cursor (malformed-cursor), or one beyond the inbox head (cursor-beyond-head)")
  @PostMapping("/v1/sync/ack")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void ack(Caller caller, @RequestBody AckRequest request) {
    if (request == null || request.cursor() == null) {
      throw ApiException.badRequest(ProblemType.VALIDATION, "cursor is required");
    }
    acks.ack(caller.userId(), caller.deviceId(), Cursors.parse(request.cursor()));
  }
}
