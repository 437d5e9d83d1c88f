package io.messenger.sync.inbox.pull;

import io.messenger.model.InboxCursor;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.problem.ProblemWriter;
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
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.beans.PropertyEditorSupport;
import java.time.Duration;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** {@code GET /v1/sync}: the caller's device pulls its inbox, optionally long-polling. */
@RestController
@Tag(name = "inbox", description = "The caller's offline inbox: pull, long-poll, ack")
class InboxController {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;
  static final int MAX_WAIT_MS = 30_000;
  static final String LIMIT_RANGE = "limit must be an integer from 1 to " + MAX_LIMIT;
  static final String WAIT_RANGE = "waitMs must be an integer from 0 to " + MAX_WAIT_MS;

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
          @Min(value = 1, message = LIMIT_RANGE)
          @Max(value = MAX_LIMIT, message = LIMIT_RANGE)
          Integer limit,
      @Parameter(
              description = "long-poll: wait up to this many milliseconds for a new entry",
              schema =
                  @Schema(
                      type = "integer",
                      minimum = "0",
                      maximum = "" + MAX_WAIT_MS,
                      defaultValue = "0"))
          @RequestParam(required = false)
          @Min(value = 0, message = WAIT_RANGE)
          @Max(value = MAX_WAIT_MS, message = WAIT_RANGE)
          Integer waitMs,
      @Parameter(hidden = true) HttpServletRequest request,
      @Parameter(hidden = true) HttpServletResponse response) {
    InboxCursor from = cursor == null ? null : Cursors.parse(cursor);
    int max = limit == null ? DEFAULT_LIMIT : limit;
    int wait = waitMs == null ? 0 : waitMs;
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

  /**
   * {@code limit} and {@code waitMs} are plain ASCII decimals: Spring's own conversion would also
   * take {@code "+5"}, {@code " 5"}, {@code "0x10"}, {@code "05"} and non-ASCII digits. The range
   * is checked by the constraints above (method validation: 400 {@code validation} with their
   * message).
   */
  @InitBinder
  void plainDecimals(WebDataBinder binder) {
    binder.registerCustomEditor(Integer.class, new PlainDecimal());
  }

  /** A value that is no plain decimal gets the same answer as one out of range. */
  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> notADecimal(MethodArgumentTypeMismatchException e) {
    String detail =
        switch (e.getName()) {
          case "limit" -> LIMIT_RANGE;
          case "waitMs" -> WAIT_RANGE;
          default -> "parameter '" + e.getName() + "' has an invalid value";
        };
    return ResponseEntity.badRequest()
        .body(ProblemWriter.problem(HttpStatus.BAD_REQUEST, ProblemType.VALIDATION, detail));
  }

  /** {@code 0} or a decimal without sign, spaces or leading zeros, of at most 9 ASCII digits. */
  static final class PlainDecimal extends PropertyEditorSupport {
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]{0,8}");

    @Override
    public void setAsText(String text) {
      if (!DECIMAL.matcher(text).matches()) {
        throw new IllegalArgumentException("not a plain decimal");
      }
      setValue(Integer.valueOf(text));
    }
  }
}
