package io.messenger.sync.inbox;

import io.messenger.model.InboxCursor;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;

/** Reading cursors sent by clients. */
public final class Cursors {

  private Cursors() {}

  /** Parses a client cursor, refusing a malformed one with 400 {@code malformed-cursor}. */
  public static InboxCursor parse(String text) {
    try {
      return InboxCursor.parse(text);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          ProblemType.MALFORMED_CURSOR, "cursor must be a cursor returned by this service");
    }
  }
}
