package io.messenger.history.page;

import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableSet;
import org.springframework.stereotype.Service;

/**
 * The conversation list with read state. {@code unread} counts the messages after the caller's read
 * marker that others sent and that are neither recalled nor hidden by the caller. Counting stops at
 * {@link #UNREAD_CAP} counted messages or {@link #SCAN_CAP} scanned rows, whichever comes first
 * (then {@code unreadCapped} is true), so the cost of a list entry is bounded whatever the backlog.
 */
@Service
class ConversationViews {

  static final int UNREAD_CAP = 1000;

  /** A view lists at most this many members (the first by id); the members endpoint pages all. */
  static final int MEMBERS_IN_VIEW = 100;

  /** The most members one page of {@code GET /v1/conversations/{cid}/members} holds. */
  static final int MAX_MEMBERS_PAGE = 1000;

  static final int SCAN_CAP = 5000;

  private final ConversationService conversations;
  private final io.messenger.history.conversation.ConversationStore store;
  private final MessagePages pages;

  ConversationViews(
      ConversationService conversations,
      io.messenger.history.conversation.ConversationStore store,
      MessagePages pages) {
    this.conversations = conversations;
    this.store = store;
    this.pages = pages;
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

  List<View> list(UserId caller) {
    return store.conversationsOf(caller).stream()
        .map(
            id ->
                store
                    .find(id)
                    .filter(c -> store.isMember(id, caller)) // one row, not the member list
                    .map(c -> view(c, caller))
                    .orElse(null))
        .filter(v -> v != null)
        .sorted(Comparator.comparingLong(View::lastSeq).reversed())
        .toList();
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
