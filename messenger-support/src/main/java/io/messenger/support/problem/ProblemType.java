package io.messenger.support.problem;

import java.net.URI;

/**
 * A stable problem {@code type} of our RFC 9457 problem details: {@code
 * urn:messenger:problem:<name>}. Clients switch on the type, never on the title or detail. The
 * catalogue with meanings is {@code docs/api.md}.
 */
public record ProblemType(String name, String title) {

  public static final String PREFIX = "urn:messenger:problem:";

  public static final ProblemType UNAUTHORIZED = new ProblemType("unauthorized", "Unauthorized");
  public static final ProblemType FORBIDDEN = new ProblemType("forbidden", "Forbidden");
  public static final ProblemType VALIDATION = new ProblemType("validation", "Invalid request");
  public static final ProblemType MALFORMED_BODY =
      new ProblemType("malformed-body", "Malformed request body");
  public static final ProblemType PAYLOAD_TOO_LARGE =
      new ProblemType("payload-too-large", "Request body too large");
  public static final ProblemType TEXT_TOO_LONG =
      new ProblemType("text-too-long", "Message text too long");
  public static final ProblemType NOT_FOUND = new ProblemType("not-found", "Not found");
  public static final ProblemType CONVERSATION_NOT_FOUND =
      new ProblemType("conversation-not-found", "Conversation not found");
  public static final ProblemType METHOD_NOT_ALLOWED =
      new ProblemType("method-not-allowed", "Method not allowed");
  public static final ProblemType UNSUPPORTED_MEDIA_TYPE =
      new ProblemType("unsupported-media-type", "Unsupported media type");
  public static final ProblemType NOT_ACCEPTABLE =
      new ProblemType("not-acceptable", "Not acceptable");
  public static final ProblemType IDEMPOTENCY_CONFLICT =
      new ProblemType("idempotency-conflict", "Client id reused with different content");
  public static final ProblemType REQUEST_IN_PROGRESS =
      new ProblemType("request-in-progress", "The same request is still being processed");
  public static final ProblemType NOT_SENDER =
      new ProblemType("not-sender", "Only the sender may do this");
  public static final ProblemType RECALL_WINDOW_EXPIRED =
      new ProblemType("recall-window-expired", "The recall window has passed");
  public static final ProblemType ALREADY_RECALLED =
      new ProblemType("already-recalled", "The message was recalled");
  public static final ProblemType INVALID_TARGET =
      new ProblemType("invalid-target", "The target is not a message of this conversation");
  public static final ProblemType MALFORMED_CURSOR =
      new ProblemType("malformed-cursor", "Malformed cursor");
  public static final ProblemType CURSOR_BEYOND_HEAD =
      new ProblemType("cursor-beyond-head", "Cursor beyond the inbox head");
  public static final ProblemType GROUP_TOO_LARGE =
      new ProblemType("group-too-large", "Too many members");
  public static final ProblemType STORE_UNAVAILABLE =
      new ProblemType("store-unavailable", "Storage temporarily unavailable");
  public static final ProblemType TOO_MANY_WAITING =
      new ProblemType("too-many-waiting", "Too many long-polls are waiting");
  public static final ProblemType RATE_LIMITED =
      new ProblemType("rate-limited", "Too many requests");
  public static final ProblemType INTERNAL = new ProblemType("internal", "Internal error");

  public URI uri() {
    return URI.create(PREFIX + name);
  }
}
