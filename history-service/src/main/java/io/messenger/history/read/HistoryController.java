package io.messenger.history.read;

import io.messenger.model.ConversationId;
import io.messenger.model.Limits;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.problem.ProblemWriter;
import io.messenger.support.security.Caller;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.beans.PropertyEditorSupport;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.InitBinder;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The client read API of the history: conversations and their pages. Query parameters are bound by
 * Spring: numbers as plain decimals ({@link #plainDecimals}), their ranges and the members' {@code
 * after} checked by the constraints (method validation: 400 {@code validation} with the
 * constraint's message).
 */
@RestController
@RequestMapping("/v1/conversations")
@SecurityRequirement(name = "bearer")
@Tag(name = "history", description = "The caller's conversations and their message pages")
class HistoryController {

  static final String LIST_LIMIT =
      "limit must be an integer from 1 to " + ConversationViews.MAX_LIST_LIMIT;
  static final String EVENTS_LIMIT =
      "limit must be an integer from 1 to " + ConversationEvents.MAX_LIMIT;
  static final String MEMBERS_LIMIT =
      "limit must be an integer from 1 to " + ConversationViews.MAX_MEMBERS_PAGE;
  static final String PAGE_LIMIT = "limit must be an integer from 1 to " + PageService.MAX_LIMIT;
  static final String SEQ = " must be a non-negative integer seq";

  /** {@link Limits#ID_PATTERN}, as a constant the annotations can use. */
  static final String USER_ID = Limits.ID_REGEX;

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
                  @Schema(
                      type = "integer",
                      minimum = "1",
                      maximum = "" + ConversationViews.MAX_LIST_LIMIT,
                      defaultValue = "" + ConversationViews.DEFAULT_LIST_LIMIT))
          @RequestParam(required = false)
          @Min(value = 1, message = LIST_LIMIT)
          @Max(value = ConversationViews.MAX_LIST_LIMIT, message = LIST_LIMIT)
          Integer limit,
      @Parameter(description = "opaque: from the previous page's Link header; absent: the newest")
          @RequestParam(required = false)
          String cursor) {
    int n = limit == null ? ConversationViews.DEFAULT_LIST_LIMIT : limit;
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
          @Min(value = 0, message = "after" + SEQ)
          Long after,
      @Parameter(
              description = "the most events to look at",
              schema =
                  @Schema(
                      type = "integer",
                      minimum = "1",
                      maximum = "" + ConversationEvents.MAX_LIMIT,
                      defaultValue = "" + ConversationEvents.DEFAULT_LIMIT))
          @RequestParam(required = false)
          @Min(value = 1, message = EVENTS_LIMIT)
          @Max(value = ConversationEvents.MAX_LIMIT, message = EVENTS_LIMIT)
          Integer limit) {
    return events.after(
        conversationId,
        caller.userId(),
        after == null ? 0 : after,
        limit == null ? ConversationEvents.DEFAULT_LIMIT : limit);
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
              schema = @Schema(type = "string", pattern = USER_ID))
          @RequestParam(required = false)
          @jakarta.validation.constraints.Pattern(
              regexp = USER_ID,
              message = "after must match " + USER_ID)
          String after,
      @Parameter(
              description = "the most members to return",
              schema =
                  @Schema(
                      type = "integer",
                      minimum = "1",
                      maximum = "" + ConversationViews.MAX_MEMBERS_PAGE,
                      defaultValue = "" + ConversationViews.DEFAULT_MEMBERS_PAGE))
          @RequestParam(required = false)
          @Min(value = 1, message = MEMBERS_LIMIT)
          @Max(value = ConversationViews.MAX_MEMBERS_PAGE, message = MEMBERS_LIMIT)
          Integer limit) {
    return views.members(
        conversationId,
        caller.userId(),
        after == null ? "" : after,
        limit == null ? ConversationViews.DEFAULT_MEMBERS_PAGE : limit);
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
          @Min(value = 0, message = "before" + SEQ)
          Long before,
      @Parameter(
              description = "messages with a seq above this one",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestParam(required = false)
          @Min(value = 0, message = "after" + SEQ)
          Long after,
      @Parameter(
              description = "messages around this seq",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestParam(required = false)
          @Min(value = 0, message = "around" + SEQ)
          Long around,
      @Parameter(
              description = "the most messages to return",
              schema =
                  @Schema(
                      type = "integer",
                      minimum = "1",
                      maximum = "" + PageService.MAX_LIMIT,
                      defaultValue = "" + PageService.DEFAULT_LIMIT))
          @RequestParam(required = false)
          @Min(value = 1, message = PAGE_LIMIT)
          @Max(value = PageService.MAX_LIMIT, message = PAGE_LIMIT)
          Integer limit) {
    int given = (before != null ? 1 : 0) + (after != null ? 1 : 0) + (around != null ? 1 : 0);
    if (given > 1) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "at most one of before, after and around may be given");
    }
    PageService.Anchor anchor = PageService.Anchor.NEWEST;
    long seq = 0;
    if (before != null) {
      anchor = PageService.Anchor.BEFORE;
      seq = before;
    } else if (after != null) {
      anchor = PageService.Anchor.AFTER;
      seq = after;
    } else if (around != null) {
      anchor = PageService.Anchor.AROUND;
      seq = around;
    }
    int n = limit == null ? PageService.DEFAULT_LIMIT : limit;
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

  /**
   * Limits and seqs are plain ASCII decimals: Spring's own conversion would also take {@code "+5"},
   * {@code " 5"}, {@code "0x10"}, {@code "05"} and non-ASCII digits. A limit has at most 6 digits
   * and a seq at most 18 (so it fits a long); the constraints check the ranges.
   */
  @InitBinder
  void plainDecimals(WebDataBinder binder) {
    binder.registerCustomEditor(Integer.class, new PlainDecimal(6, Integer::valueOf));
    binder.registerCustomEditor(Long.class, new PlainDecimal(18, Long::valueOf));
  }

  /**
   * A number that is no plain decimal gets the answer of one out of range: the message of its
   * {@code @Min} (every number here has one). Anything else (a conversation id) gets the answer
   * {@code ProblemAdvice} gives.
   */
  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> notAPlainDecimal(MethodArgumentTypeMismatchException e) {
    Min range = e.getParameter().getParameterAnnotation(Min.class);
    String detail =
        range != null ? range.message() : "parameter '" + e.getName() + "' has an invalid value";
    return ResponseEntity.badRequest()
        .body(ProblemWriter.problem(HttpStatus.BAD_REQUEST, ProblemType.VALIDATION, detail));
  }

  /** {@code 0} or a decimal without sign, spaces or leading zeros, of at most n ASCII digits. */
  static final class PlainDecimal extends PropertyEditorSupport {
    private final Pattern decimal;
    private final Function<String, ? extends Number> parse;

    PlainDecimal(int maxDigits, Function<String, ? extends Number> parse) {
      this.decimal = Pattern.compile("0|[1-9][0-9]{0," + (maxDigits - 1) + "}");
      this.parse = parse;
    }

    @Override
    public void setAsText(String text) {
      if (!decimal.matcher(text).matches()) {
        throw new IllegalArgumentException("not a plain decimal");
      }
      setValue(parse.apply(text));
    }
  }
}
