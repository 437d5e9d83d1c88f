package io.messenger.history.read;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.messenger.history.cassandra.Async;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.history.conversation.MembershipLog;
import io.messenger.history.write.EventLog;
import io.messenger.history.write.LoggedEvent;
import io.messenger.history.write.OperationRules;
import io.messenger.history.write.Projections;
import io.messenger.model.ConversationId;
import io.messenger.model.OperationType;
import io.messenger.model.SystemNotification;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.springframework.stereotype.Service;

/**
 * A conversation's events after a seq, in seq order, as the caller's inbox would have received
 * them: messages (a recalled one as its tombstone, one the caller deleted for themselves absent),
 * the operations that reach the caller ({@link OperationRules#recipients}: another member's
 * delete-for-me, and in a group another member's read marker, do not), and membership changes as
 * {@code member.added} / {@code member.removed} system entries (one change that did both: both, in
 * that order, at its seq).
 *
 * <p>Bounded: one page reads the conversation and membership rows, the log's head, at most two log
 * partitions ({@code limit} ≤ 500 < 4096 events per partition), at most two message-page partitions
 * (for recall tombstones), one slice of the caller's hidden messages and one row per membership
 * change in the page (who it added and removed), whatever the conversation's length. Events that do
 * not reach the caller still count against {@code limit}, so a page can hold fewer than {@code
 * limit} events while {@code hasMore} is true; the next page starts after {@code nextAfter}.
 */
@Service
class ConversationEvents {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 500;

  private final ConversationService conversations;
  private final EventLog log;
  private final MessagePages pages;

  ConversationEvents(ConversationService conversations, EventLog log, MessagePages pages) {
    this.conversations = conversations;
    this.log = log;
    this.pages = pages;
  }

  /** An operation as an inbox entry carries it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record OperationView(String type, Long targetSeq, Long upToSeq, String text) {}

  /**
   * An event in the shape of an inbox entry of its kind, without a cursor: a {@code message}, an
   * {@code operation}, or a {@code system} entry ({@code member.added} / {@code member.removed},
   * with the {@code notificationId} the members' inboxes have it under).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record EventView(
      String kind,
      ConversationId conversationId,
      long seq,
      UserId senderId,
      Instant sentAt,
      String clientMsgId,
      String text,
      Boolean recalled,
      String clientOpId,
      OperationView operation,
      String notificationId,
      SystemNotification notification) {

    static EventView system(LoggedEvent event, String prefix, SystemNotification notification) {
      return new EventView(
          "system",
          event.conversationId(),
          event.seq(),
          null,
          event.at(),
          null,
          null,
          null,
          null,
          null,
          SystemNotification.idOf(
              prefix, event.conversationId().value(), MembershipLog.changeIdOf(event.clientId())),
          notification);
    }
  }

  /** A page of events; the next one starts after {@code nextAfter}. */
  record Events(List<EventView> events, boolean hasMore, long nextAfter) {}

  Events after(ConversationId id, UserId caller, long after, int limit) {
    Conversation c = conversations.requireMember(id, caller);
    EventLog.Head head = log.committedHead(id, new EventLog.Head(c.lastSeq(), c.messageCount()));
    if (head.seq() <= after) {
      return new Events(List.of(), false, after);
    }
    List<LoggedEvent> range = log.range(id, after, head.seq(), limit);
    if (range.isEmpty()) {
      return new Events(List.of(), false, after);
    }
    long last = range.get(range.size() - 1).seq();
    NavigableSet<Long> hidden = pages.hidden(id, caller, after + 1, last);
    Map<Long, PageMessage> shown = messages(id, range);
    Map<Long, ConversationService.MemberNames> names = memberNames(id, range);
    List<EventView> out = new ArrayList<>(range.size());
    for (LoggedEvent event : range) {
      if (event.isMessage()) {
        if (!hidden.contains(event.seq())) {
          PageMessage m = shown.get(event.seq());
          boolean recalled = m != null && m.recalled();
          out.add(
              new EventView(
                  "message",
                  id,
                  event.seq(),
                  event.actorId(),
                  event.at(),
                  event.clientId(),
                  recalled ? null : event.text(),
                  recalled ? Boolean.TRUE : null,
                  null,
                  null,
                  null,
                  null));
        }
      } else if (event.kind() == LoggedEvent.EventKind.MEMBERS) {
        ConversationService.MemberNames change = names.get(event.seq());
        boolean large = event.largeOr(c.large()); // then the first names and a count, as inboxes
        if (!change.added().isEmpty()) {
          out.add(
              EventView.system(
                  event,
                  "added",
                  SystemNotification.MemberAdded.of(change.added(), event.actorId(), large)));
        }
        if (!change.removed().isEmpty()) {
          out.add(
              EventView.system(
                  event,
                  "removed",
                  SystemNotification.MemberRemoved.of(change.removed(), event.actorId(), large)));
        }
      } else if (OperationRules.recipients(c.type(), event, () -> List.of(caller))
          .contains(caller)) {
        // The caller is a member, so "every member" includes them: no member list is read.
        out.add(
            new EventView(
                "operation",
                id,
                event.seq(),
                event.actorId(),
                event.at(),
                null,
                null,
                null,
                event.clientId(),
                operation(event),
                null,
                null));
      }
    }
    return new Events(out, last < head.seq(), last);
  }

  private static OperationView operation(LoggedEvent event) {
    OperationType type = event.opType();
    return new OperationView(
        type.wireName(),
        type == OperationType.READ ? null : event.refSeq(),
        type == OperationType.READ ? event.refSeq() : null,
        type == OperationType.EDIT ? event.text() : null);
  }

  /** Who each membership change of the range added and removed: one row each, read together. */
  private Map<Long, ConversationService.MemberNames> memberNames(
      ConversationId id, List<LoggedEvent> range) {
    Map<Long, CompletionStage<ConversationService.MemberNames>> reads = new HashMap<>();
    for (LoggedEvent event : range) {
      if (event.kind() == LoggedEvent.EventKind.MEMBERS) {
        reads.put(
            event.seq(),
            conversations.memberNamesAsync(id, MembershipLog.changeIdOf(event.clientId())));
      }
    }
    Map<Long, ConversationService.MemberNames> out = new HashMap<>();
    reads.forEach((seq, read) -> out.put(seq, Async.await(read)));
    return out;
  }

  /** The page rows of the range's messages (for their recall state), read per page bucket. */
  private Map<Long, PageMessage> messages(ConversationId id, List<LoggedEvent> range) {
    // Per page bucket: the seq before its first message in the range, and how many there are.
    TreeMap<Long, long[]> buckets = new TreeMap<>();
    for (LoggedEvent event : range) {
      if (event.isMessage()) {
        long bucket = Projections.bucketOfMessage(event.msgNo());
        buckets.computeIfAbsent(bucket, b -> new long[] {event.seq() - 1, 0})[1]++;
      }
    }
    List<CompletionStage<List<PageMessage>>> reads = new ArrayList<>();
    buckets.forEach(
        (bucket, from) -> reads.add(pages.afterAsync(id, bucket, from[0], (int) from[1])));
    Async.awaitAll(reads);
    Map<Long, PageMessage> out = new HashMap<>();
    for (CompletionStage<List<PageMessage>> read : reads) {
      for (PageMessage m : Async.await(read)) {
        out.put(m.seq(), m);
      }
    }
    return out;
  }
}
