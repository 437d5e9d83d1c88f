package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.Caller;
import java.time.Duration;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/** {@code GET /v1/sync}: the caller's device pulls its inbox, optionally long-polling. */
@RestController
class InboxController {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;
  static final int MAX_WAIT_MS = 30_000;

  private final InboxService inbox;

  InboxController(InboxService inbox) {
    this.inbox = inbox;
  }

  @GetMapping("/v1/sync")
  DeferredResult<PullResponse> pull(
      Caller caller,
      @RequestParam(required = false) String cursor,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String waitMs) {
    InboxCursor from = cursor == null ? null : Cursors.parse(cursor);
    int max = intParam("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
    int wait = intParam("waitMs", waitMs, 0, 0, MAX_WAIT_MS);
    return inbox.pull(caller.userId(), caller.deviceId(), from, max, Duration.ofMillis(wait));
  }

  private static int intParam(String name, String text, int fallback, int min, int max) {
    if (text == null) {
      return fallback;
    }
    int value;
    try {
      value = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw outOfRange(name, min, max);
    }
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
