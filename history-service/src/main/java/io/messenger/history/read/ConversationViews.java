package io.messenger.history.read;

import io.messenger.history.activity.ActivityIndex;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import jakarta.annotation.PreDestroy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Service;

/**
 * The conversation list with read state, paged in activity order from the per-user index ({@link
 * ActivityIndex}). {@code unread} counts the messages after the caller's read marker that others
 * sent and that are neither recalled nor hidden by the caller. Counting stops at {@link
 * #UNREAD_CAP} counted messages or {@link #SCAN_CAP} scanned rows, whichever comes first (then
 * {@code unreadCapped} is true), so the cost of a list entry is bounded whatever the backlog.
 */
@Service
class ConversationViews {

  static final int UNREAD_CAP = 1000;

  /** A view lists at most this many members (the first by id); the members endpoint pages all. */
  static final int MEMBERS_IN_VIEW = 100;

  /** The default and most members one page of {@code GET /v1/conversations/{cid}/members} holds. */
  static final int DEFAULT_MEMBERS_PAGE = 200;

  static final int MAX_MEMBERS_PAGE = 1000;

  static final int SCAN_CAP = 5000;

  /** The list's default and largest page. */
  static final int DEFAULT_LIST_LIMIT = 50;

  static final int MAX_LIST_LIMIT = 200;

  /** Threads that build the views of list pages (blocking reads, a few per view). */
  private static final int VIEW_THREADS = 32;

  private final ConversationService conversations;
  private final io.messenger.history.conversation.ConversationStore store;
  private final MessagePages pages;
  private final ActivityIndex activity;
  private final ExecutorService viewer;

  ConversationViews(
      ConversationService conversations,
      io.messenger.history.conversation.ConversationStore store,
      MessagePages pages,
      ActivityIndex activity) {
    this.conversations = conversations;
    this.store = store;
    this.pages = pages;
    this.activity = activity;
    AtomicInteger n = new AtomicInteger();
    this.viewer =
        Executors.newFixedThreadPool(
            VIEW_THREADS,
            r -> {
              Thread t = new Thread(r, "list-views-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  @PreDestroy
  void stop() {
    viewer.shutdown();
  }

  record View(
      ConversationId conversationId,
      ConversationType type,
      String title,
      List<UserId> members,
      int memberCount,
      long lastSeq,
      long readSeq,
      long unread,
      boolean unreadCapped) {}

  /** One page of the list: its views, and the cursor of the next page when more may follow. */
  record ListPage(List<View> views, Optional<String> next) {}

  /**
   * Up to {@code limit} of the caller's conversations after {@code cursor} (null: from the most
   * recently active), most recently active first: O(limit) index rows and views, whatever the
   * number of the caller's conversations ({@link ActivityIndex#page}).
   */
  ListPage list(UserId caller, String cursor, int limit) {
    ActivityIndex.Page page = activity.page(caller, decode(cursor), limit);
    // The views of a page are independent (a few single-partition reads each, unread counts
    // bounded): built together, so a page costs about one view's latency.
    List<CompletableFuture<View>> views =
        page.entries().stream()
            .map(e -> CompletableFuture.supplyAsync(() -> view(e.conversation(), caller), viewer))
            .toList();
    return new ListPage(
        views.stream().map(CompletableFuture::join).toList(),
        page.next().map(ConversationViews::encode));
  }

  /** The opaque cursor of a list position: base64url of {@code <millis>:<conversationId>}. */
  static String encode(ActivityIndex.Position position) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(
            (position.at().toEpochMilli() + ":" + position.id().value())
                .getBytes(StandardCharsets.US_ASCII));
  }

  /** The position of a cursor {@link #encode} made; null for none; 400 for anything else. */
  static ActivityIndex.Position decode(String cursor) {
    if (cursor == null) {
      return null;
    }
    try {
      if (cursor.length() > 128) {
        throw new IllegalArgumentException("too long");
      }
      String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
      int colon = text.indexOf(':');
      if (colon < 1
          || colon > 19
          || !text.substring(0, colon).chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("no time");
      }
      return new ActivityIndex.Position(
          Instant.ofEpochMilli(Long.parseLong(text.substring(0, colon))),
          ConversationId.of(text.substring(colon + 1)));
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      throw ApiException.badRequest(
          ProblemType.MALFORMED_CURSOR,
          "cursor must be the one a previous page's Link header carried");
    }
  }

  View one(ConversationId id, UserId caller) {
    return view(conversations.requireMember(id, caller), caller);
  }

  /** A page of members by id. */
  record MembersPage(List<UserId> members, boolean hasMore) {}

  /** At most {@code limit} members with an id after {@code after} ("" from the first). */
  MembersPage members(ConversationId id, UserId caller, String after, int limit) {
    conversations.requireMember(id, caller);
    List<UserId> page = store.members(id, after, limit + 1);
    return page.size() > limit
        ? new MembersPage(page.subList(0, limit), true)
        : new MembersPage(page, false);
  }

  private View view(Conversation c, UserId caller) {
    long readSeq = pages.readSeq(c.id(), caller);
    long[] unread = unread(c, caller, readSeq);
    return new View(
        c.id(),
        c.type(),
        c.title(),
        store.members(c.id(), "", MEMBERS_IN_VIEW),
        store.memberCount(c),
        c.lastMessageSeq(),
        readSeq,
        unread[0],
        unread[1] == 1);
  }

  /** {count, capped ? 1 : 0}. */
  private long[] unread(Conversation c, UserId caller, long readSeq) {
    if (c.lastMessageSeq() <= readSeq) {
      return new long[] {0, 0};
    }
    List<MessagePages.Bucket> buckets = pages.buckets(c.id());
    NavigableSet<Long> hidden = pages.hidden(c.id(), caller, readSeq + 1, Long.MAX_VALUE);
    long count = 0;
    long scanned = 0;
    // Oldest bucket that may hold seq readSeq + 1, then newer ones.
    int i = 0;
    while (i < buckets.size() - 1 && buckets.get(i).firstSeq() > readSeq + 1) {
      i++;
    }
    for (; i >= 0; i--) {
      long from = readSeq;
      while (true) {
        List<PageMessage> batch = pages.after(c.id(), buckets.get(i).number(), from, 500);
        for (PageMessage m : batch) {
          if (++scanned > SCAN_CAP) {
            return new long[] {count, 1};
          }
          if (!m.recalled() && !m.senderId().equals(caller) && !hidden.contains(m.seq())) {
            if (++count >= UNREAD_CAP) {
              return new long[] {count, 1};
            }
          }
        }
        if (batch.size() < 500) {
          break;
        }
        from = batch.get(batch.size() - 1).seq();
      }
    }
    return new long[] {count, 0};
  }
}
