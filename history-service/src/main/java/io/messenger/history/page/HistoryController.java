package io.messenger.history.page;

import io.messenger.model.ConversationId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.support.security.Caller;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The client read API of the history: conversations and their pages. */
@RestController
@RequestMapping("/v1/conversations")
@SecurityRequirement(name = "bearer")
class HistoryController {

  private static final Pattern SEQ = Pattern.compile("0|[1-9][0-9]{0,17}");
  private static final Pattern LIMIT = Pattern.compile("[1-9][0-9]{0,2}");

  private final PageService pages;
  private final ConversationViews views;

  HistoryController(PageService pages, ConversationViews views) {
    this.pages = pages;
    this.views = views;
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

  @GetMapping
  List<ConversationViews.View> list(Caller caller) {
    return views.list(caller.userId());
  }

  @GetMapping("/{conversationId}")
  ConversationViews.View one(Caller caller, @PathVariable ConversationId conversationId) {
    return views.one(conversationId, caller.userId());
  }

  @GetMapping("/{conversationId}/messages")
  PageView messages(
      Caller caller,
      @PathVariable ConversationId conversationId,
      @RequestParam(required = false) String before,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) String around,
      @RequestParam(required = false) String limit) {
    int given = (before != null ? 1 : 0) + (after != null ? 1 : 0) + (around != null ? 1 : 0);
    if (given > 1) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "at most one of before, after and around may be given");
    }
    int n = limit == null ? 50 : parseLimit(limit);
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

  private static int parseLimit(String value) {
    if (!LIMIT.matcher(value).matches() || Integer.parseInt(value) > PageService.MAX_LIMIT) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "limit must be an integer from 1 to " + PageService.MAX_LIMIT);
    }
    return Integer.parseInt(value);
  }
}
