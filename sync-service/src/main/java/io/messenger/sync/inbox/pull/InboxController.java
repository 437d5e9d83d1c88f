package io.messenger.sync.inbox.pull;

import io.messenger.model.InboxCursor;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.Caller;
import io.messenger.sync.inbox.Cursors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/sync}: the caller's device pulls its inbox, optionally long-polling. */
@RestController
@Tag(name = "inbox", description = "The caller's offline inbox: pull, long-poll, ack")
class InboxController {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;
  static final int MAX_WAIT_MS = 30_000;
  private static final java.util.regex.Pattern DECIMAL =
      java.util.regex.Pattern.compile("0|[1-9][0-9]{0,8}");

  private final PullService pulls;
  private final PullExchanges exchanges;

  InboxController(PullService pulls, PullExchanges exchanges) {
    this.pulls = pulls;
    this.exchanges = exchanges;
  }

  @Operation(
      summary = "Pull the inbox of the caller's device",
      description =
          "Entries strictly after the cursor (without one: after the device's acknowledged"
              + " cursor), oldest first. resync tells a new device, or one whose cursor is older"
              + " than the oldest retained entry, to re-read history and continue from headCursor.")
  @ApiResponse(
      responseCode = "200",
      description = "Entries, or a resync signal",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON_VALUE,
              schema = @Schema(implementation = PullResponse.class)))
  @ApiResponse(
      responseCode = "400",
      description =
          "A malformed cursor (malformed-cursor), or limit / waitMs out of range (validation)")
  @ApiResponse(
      responseCode = "503",
      description =
          "The inbox store is unavailable (store-unavailable), or too many long-polls wait on this instance (too-many-waiting)")
  @GetMapping("/v1/sync")
  void pull(
      Caller caller,
      @Parameter(
              description = "pull after this cursor (a cursor this service returned)",
              schema =
                  @Schema(type = "string", pattern = "^(0|[1-9][0-9]{0,18})-(0|[1-9][0-9]{0,18})$"))
          @RequestParam(required = false)
          String cursor,
      @Parameter(
              description = "the most entries to return",
              schema =
                  @Schema(
                      type = "integer",
                      minimum = "1",
                      maximum = "" + MAX_LIMIT,
                      defaultValue = "" + DEFAULT_LIMIT))
          @RequestParam(required = false)
          String limit,
      @Parameter(
              description = "long-poll: wait up to this many milliseconds for a new entry",
              schema =
                  @Schema(
                      type = "integer",
                      minimum = "0",
                      maximum = "" + MAX_WAIT_MS,
                      defaultValue = "0"))
          @RequestParam(required = false)
          String waitMs,
      @Parameter(hidden = true) HttpServletRequest request,
      @Parameter(hidden = true) HttpServletResponse response) {
    InboxCursor from = cursor == null ? null : Cursors.parse(cursor);
    int max = intParam("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
    int wait = intParam("waitMs", waitMs, 0, 0, MAX_WAIT_MS);
    // The answer is written by the exchange (pre-rendered JSON, see ServletPullExchange), now or
    // when a parked long-poll is woken.
    pulls.pull(
        caller.userId(),
        caller.deviceId(),
        from,
        max,
        Duration.ofMillis(wait),
        exchanges.open(request, response));
  }

  private static int intParam(String name, String text, int fallback, int min, int max) {
    if (text == null) {
      return fallback;
    }
    // Plain ASCII decimals only: Integer.parseInt alone also takes "+5" and non-ASCII digits.
    if (!DECIMAL.matcher(text).matches()) {
      throw outOfRange(name, min, max);
    }
    int value = Integer.parseInt(text);
    if (value < min || value > max) {
      throw outOfRange(name, min, max);
    }
    return value;
  }

  private static ApiException outOfRange(String name, int min, int max) {
    return ApiException.badRequest(
        ProblemType.VALIDATION, name + " must be an integer from " + min + " to " + max);
  }
}
