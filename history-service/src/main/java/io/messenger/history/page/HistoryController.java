package io.messenger.history.page;

import io.messenger.model.ConversationId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** The client read API of the history: conversations and their pages. */
@RestController
@RequestMapping("/v1/conversations")
@SecurityRequirement(name = "bearer")
@Tag(name = "history", description = "The caller's conversations and their message pages")
class HistoryController {

  private static final Pattern SEQ = Pattern.compile("0|[1-9][0-9]{0,17}");
  private static final Pattern LIMIT = Pattern.compile("[1-9][0-9]{0,5}");

  private final PageService pages;
  private final ConversationViews views;
  private final ConversationEvents events;

  HistoryController(PageService pages, ConversationViews views, ConversationEvents events) {
    this.pages = pages;
    this.views = views;
    this.events = events;
  }

  record MessageView(
      long seq,
      String senderId,
      Instant sentAt,
      String text,
      @com.fasterxml.jackson.annotation.JsonInclude(
              com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
          Instant editedAt,
      boolean recalled) {}

  record PageView(List<MessageView> messages, boolean hasMoreBefore, boolean hasMoreAfter) {}

  @Operation(
      summary = "The caller's conversations, most recently active first",
      description =
          "Ordered by the time of each conversation's newest event (its creation before any),"
              + " then by conversationId (both descending). With lastSeq (newest message), readSeq"
              + " (the caller's read marker) and unread. When more may follow, the answer carries"
              + " Link: <...>; rel=\"next\" (RFC 8288) whose URL continues the list; a page may"
              + " hold fewer than limit conversations and still have a next one.")
  @ApiResponse(responseCode = "200", description = "A page of conversations")
  @ApiResponse(
      responseCode = "400",
      description =
          "limit out of range (validation), or a cursor no Link header carried (malformed-cursor)")
  @GetMapping
  ResponseEntity<List<ConversationViews.View>> list(
      Caller caller,
      @Parameter(
              description = "the most conversations to return",
              schema =
                  @Schema(type = "integer", minimum = "1", maximum = "200", defaultValue = "50"))
          @RequestParam(required = false)
          String limit,
      @Parameter(description = "opaque: from the previous page's Link header; absent: the newest")
          @RequestParam(required = false)
          String cursor) {
    int n =
        parseLimit(limit, ConversationViews.DEFAULT_LIST_LIMIT, ConversationViews.MAX_LIST_LIMIT);
    ConversationViews.ListPage page = views.list(caller.userId(), cursor, n);
    ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
    page.next()
        .ifPresent(
            next ->
                ok.header(
                    HttpHeaders.LINK,
                    "<"
                        + ServletUriComponentsBuilder.fromCurrentRequest()
                            .replaceQueryParam("limit", n)
                            .replaceQueryParam("cursor", next)
                            .build()
                            .toUriString()
                        + ">; rel=\"next\""));
    return ok.body(page.views());
  }

  @Operation(summary = "One of the caller's conversations")
  @ApiResponse(responseCode = "200", description = "The conversation")
  @ApiResponse(
      responseCode = "404",
      description =
          "No such conversation with the caller as a member (conversation-not-found); existence does not leak")
  @GetMapping("/{conversationId}")
  ConversationViews.View one(Caller caller, @PathVariable ConversationId conversationId) {
    return views.one(conversationId, caller.userId());
  }

  @Operation(
      summary = "A conversation's events after a seq, in seq order",
      description =
          "Messages and operations in the shape of inbox entries (without cursor): a recalled"
              + " message as its tombstone (recalled: true, no text), a message the caller deleted"
              + " for themselves absent, only the operations that reach the caller. hasMore: more"
              + " events follow; the next page starts after nextAfter (the last seq this page"
              + " looked at, which may be above its last event).")
  @ApiResponse(responseCode = "200", description = "The events")
  @ApiResponse(
      responseCode = "400",
      description = "after that is not a non-negative integer, or limit out of range (validation)")
  @ApiResponse(
      responseCode = "404",
      description = "No such conversation with the caller as a member (conversation-not-found)")
  @GetMapping("/{conversationId}/events")
  ConversationEvents.Events events(
      Caller caller,
      @PathVariable ConversationId conversationId,
      @Parameter(
              description = "events with a seq above this one (absent: 0, from the first)",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestParam(required = false)
          String after,
      @Parameter(
              description = "the most events to look at",
              schema =
                  @Schema(type = "integer", minimum = "1", maximum = "500", defaultValue = "100"))
          @RequestParam(required = false)
          String limit) {
    long from = after == null ? 0 : parseSeq("after", after);
    int n = parseLimit(limit, ConversationEvents.DEFAULT_LIMIT, ConversationEvents.MAX_LIMIT);
    return events.after(conversationId, caller.userId(), from, n);
  }

  @Operation(
      summary = "A page of a conversation's members, by user id",
      description =
          "The conversation views list only the first 100 members (and memberCount); this pages"
              + " them all: after = the last user id of the previous page.")
  @ApiResponse(responseCode = "200", description = "The page")
  @ApiResponse(
      responseCode = "400",
      description = "after that is not a user id, or limit out of range (validation)")
  @ApiResponse(
      responseCode = "404",
      description = "No such conversation with the caller as a member (conversation-not-found)")
  @GetMapping("/{conversationId}/members")
  ConversationViews.MembersPage members(
      Caller caller,
      @PathVariable ConversationId conversationId,
      @Parameter(
              description = "members with a user id after this one (by id); absent: from the first",
              schema = @Schema(type = "string", pattern = "[A-Za-z0-9_-]{1,64}"))
          @RequestParam(required = false)
          String after,
      @Parameter(
              description = "the most members to return",
              schema =
                  @Schema(type = "integer", minimum = "1", maximum = "1000", defaultValue = "200"))
          @RequestParam(required = false)
          String limit) {
    if (after != null && !io.messenger.model.Limits.isValidId(after)) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION,
          "after must match " + io.messenger.model.Limits.ID_PATTERN.pattern());
    }
    int n = parseLimit(limit, 200, ConversationViews.MAX_MEMBERS_PAGE);
    return views.members(conversationId, caller.userId(), after == null ? "" : after, n);
  }

  @Operation(
      summary = "A page of a conversation's messages, newest first",
      description =
          "At most one of before / after / around; none: the newest page. Recalled messages"
              + " come as tombstones (recalled: true, text: null); messages the caller deleted"
              + " for themselves are absent.")
  @ApiResponse(responseCode = "200", description = "The page")
  @ApiResponse(
      responseCode = "400",
      description =
          "Two of before/after/around, a seq that is not a non-negative integer, or limit out of range (validation)")
  @ApiResponse(
      responseCode = "404",
      description = "No such conversation with the caller as a member (conversation-not-found)")
  @GetMapping("/{conversationId}/messages")
  PageView messages(
      Caller caller,
      @PathVariable ConversationId conversationId,
      @Parameter(
              description = "messages with a seq below this one",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestParam(required = false)
          String before,
      @Parameter(
              description = "messages with a seq above this one",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestParam(required = false)
          String after,
      @Parameter(
              description = "messages around this seq",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestParam(required = false)
          String around,
      @Parameter(
              description = "the most messages to return",
              schema =
                  @Schema(type = "integer", minimum = "1", maximum = "100", defaultValue = "50"))
          @RequestParam(required = false)
          String limit) {
    int given = (before != null ? 1 : 0) + (after != null ? 1 : 0) + (around != null ? 1 : 0);
    if (given > 1) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "at most one of before, after and around may be given");
    }
    int n = parseLimit(limit, 50, PageService.MAX_LIMIT);
    PageService.Anchor anchor = PageService.Anchor.NEWEST;
    long seq = 0;
    if (before != null) {
      anchor = PageService.Anchor.BEFORE;
      seq = parseSeq("before", before);
    } else if (after != null) {
      anchor = PageService.Anchor.AFTER;
      seq = parseSeq("after", after);
    } else if (around != null) {
      anchor = PageService.Anchor.AROUND;
      seq = parseSeq("around", around);
    }
    PageService.Page page = pages.page(conversationId, caller.userId(), anchor, seq, n);
    return new PageView(
        page.messages().stream()
            .map(
                m ->
                    new MessageView(
                        m.seq(),
                        m.senderId().value(),
                        m.sentAt(),
                        m.recalled() ? null : m.text(),
                        m.recalled() ? null : m.editedAt(),
                        m.recalled()))
            .toList(),
        page.hasMoreBefore(),
        page.hasMoreAfter());
  }

  private static long parseSeq(String name, String value) {
    if (!SEQ.matcher(value).matches()) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, name + " must be a non-negative integer seq");
    }
    return Long.parseLong(value);
  }

  /** {@code value} as a limit from 1 to {@code max}; {@code defaultValue} when absent. */
  private static int parseLimit(String value, int defaultValue, int max) {
    if (value == null) {
      return defaultValue;
    }
    if (!LIMIT.matcher(value).matches() || Integer.parseInt(value) > max) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "limit must be an integer from 1 to " + max);
    }
    return Integer.parseInt(value);
  }
}
