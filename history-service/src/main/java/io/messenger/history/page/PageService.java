package io.messenger.history.page;

import io.messenger.history.HistoryMetrics;
import io.messenger.history.cassandra.Async;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.CompletionStage;
import org.springframework.stereotype.Service;

/**
 * History paging ("message roaming"). A page of at most 100 messages spans at most two adjacent
 * message buckets (1000 messages each), so it reads the small bucket index, the caller's
 * delete-for-me overlay for the range, and at most two message partitions, wherever it is in the
 * conversation. Messages the caller hid are filtered out; the reads over-fetch by the number of
 * hidden seqs in range so pages stay full.
 */
@Service
public class PageService {

  static final int MAX_LIMIT = 100;

  private final ConversationService conversations;
  private final MessagePages pages;
  private final DistributionSummary partitionsPerPage;
  private final Map<Anchor, Timer> pageTimers = new EnumMap<>(Anchor.class);

  PageService(ConversationService conversations, MessagePages pages, MeterRegistry registry) {
    this.conversations = conversations;
    this.pages = pages;
    this.partitionsPerPage =
        DistributionSummary.builder(HistoryMetrics.PAGE_PARTITIONS)
            .description("message partitions read per history page")
            .register(registry);
    for (Anchor anchor : Anchor.values()) {
      pageTimers.put(
          anchor,
          Timer.builder(HistoryMetrics.PAGE)
              .description("history pages, by anchor")
              .tag("anchor", anchor.name().toLowerCase(Locale.ROOT))
              .publishPercentileHistogram()
              .register(registry));
    }
  }

  /** Where a page is anchored. */
  enum Anchor {
    NEWEST,
    BEFORE,
    AFTER,
    AROUND
  }

  /** A page, newest first, and how many message partitions it read. */
  record Page(
      List<PageMessage> messages,
      boolean hasMoreBefore,
      boolean hasMoreAfter,
      int partitionsRead) {}

  Page page(ConversationId id, UserId caller, Anchor anchor, long seq, int limit) {
    Timer.Sample sample = Timer.start();
    try {
      return read(id, caller, anchor, seq, limit);
    } finally {
      sample.stop(pageTimers.get(anchor));
    }
  }

  private Page read(ConversationId id, UserId caller, Anchor anchor, long seq, int limit) {
    // Membership, conversation row and bucket index in one round trip.
    CompletionStage<List<MessagePages.Bucket>> bucketIndex = pages.bucketsAsync(id);
    Conversation conversation = Async.await(conversations.requireMemberAsync(id, caller));
    List<MessagePages.Bucket> buckets = Async.await(bucketIndex);
    long last = conversation.lastMessageSeq();
    Page page =
        switch (anchor) {
          case NEWEST -> before(id, caller, buckets, Long.MAX_VALUE, limit, last);
          case BEFORE -> before(id, caller, buckets, seq, limit, last);
          case AFTER -> after(id, caller, buckets, seq, limit);
          case AROUND -> around(id, caller, buckets, seq, limit, last);
        };
    partitionsPerPage.record(page.partitionsRead());
    return page;
  }

  private Page around(
      ConversationId id,
      UserId caller,
      List<MessagePages.Bucket> buckets,
      long seq,
      int limit,
      long last) {
    int older = (limit + 1) / 2;
    Page before = before(id, caller, buckets, seq == Long.MAX_VALUE ? seq : seq + 1, older, last);
    Page after = after(id, caller, buckets, seq, limit - older);
    List<PageMessage> messages = new ArrayList<>(after.messages());
    messages.addAll(before.messages());
    return new Page(
        messages,
        before.hasMoreBefore(),
        limit - older == 0 ? seq < last : after.hasMoreAfter(),
        before.partitionsRead() + after.partitionsRead());
  }

  /** Messages with seq below {@code seq}, newest first. Buckets are newest first. */
  private Page before(
      ConversationId id,
      UserId caller,
      List<MessagePages.Bucket> buckets,
      long seq,
      int limit,
      long last) {
    int start = 0;
    while (start < buckets.size() && buckets.get(start).firstSeq() >= seq) {
      start++;
    }
    boolean hasMoreAfter = seq <= last;
    if (start == buckets.size()) {
      return new Page(List.of(), false, hasMoreAfter, 0);
    }
    int end = Math.min(start + 1, buckets.size() - 1);
    NavigableSet<Long> hidden = pages.hidden(id, caller, buckets.get(end).firstSeq(), seq - 1);
    List<PageMessage> out = new ArrayList<>();
    int reads = 0;
    long upper = seq;
    int i = start;
    for (; i <= end && out.size() <= limit; i++) {
      MessagePages.Bucket bucket = buckets.get(i);
      int overFetch = hidden.subSet(bucket.firstSeq(), true, upper, false).size();
      int want = limit + 1 - out.size();
      for (PageMessage m : pages.before(id, bucket.number(), seq, want + overFetch)) {
        if (!hidden.contains(m.seq()) && out.size() <= limit) {
          out.add(m);
        }
      }
      reads++;
      upper = bucket.firstSeq();
    }
    boolean hasMoreBefore = out.size() > limit || i < buckets.size();
    return new Page(trim(out, limit), hasMoreBefore, hasMoreAfter, reads);
  }

  /** Messages with seq above {@code seq}, returned newest first. Buckets are newest first. */
  private Page after(
      ConversationId id, UserId caller, List<MessagePages.Bucket> buckets, long seq, int limit) {
    boolean hasMoreBefore = hasAnyUpTo(buckets, seq);
    if (buckets.isEmpty() || limit == 0) {
      return new Page(List.of(), hasMoreBefore, false, 0);
    }
    // The bucket holding seq + 1: the newest one starting at or below it (else the oldest).
    int start = 0;
    while (start < buckets.size() - 1 && buckets.get(start).firstSeq() > seq + 1) {
      start++;
    }
    int end = Math.max(start - 1, 0);
    long upper = end == 0 ? Long.MAX_VALUE : buckets.get(end - 1).firstSeq() - 1;
    NavigableSet<Long> hidden = pages.hidden(id, caller, seq + 1, upper);
    List<PageMessage> out = new ArrayList<>();
    int reads = 0;
    int i = start;
    for (; i >= end && out.size() <= limit; i--) {
      MessagePages.Bucket bucket = buckets.get(i);
      long bucketEnd = i == 0 ? Long.MAX_VALUE : buckets.get(i - 1).firstSeq();
      int overFetch =
          hidden.subSet(Math.max(bucket.firstSeq(), seq + 1), true, bucketEnd, false).size();
      int want = limit + 1 - out.size();
      for (PageMessage m : pages.after(id, bucket.number(), seq, want + overFetch)) {
        if (!hidden.contains(m.seq()) && out.size() <= limit) {
          out.add(m);
        }
      }
      reads++;
    }
    boolean hasMoreAfter = out.size() > limit || i >= 0;
    List<PageMessage> page = trim(out, limit);
    Collections.reverse(page);
    return new Page(page, hasMoreBefore, hasMoreAfter, reads);
  }

  private static boolean hasAnyUpTo(List<MessagePages.Bucket> buckets, long seq) {
    return !buckets.isEmpty() && buckets.get(buckets.size() - 1).firstSeq() <= seq;
  }

  private static List<PageMessage> trim(List<PageMessage> messages, int limit) {
    return new ArrayList<>(messages.subList(0, Math.min(limit, messages.size())));
  }
}
