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
 *
 * <p>Two round trips in the common case: (1) conversation row, membership, bucket index and the
 * caller's hidden seqs next to the anchor (at most {@link #HIDDEN_PREFETCH} rows), together; (2)
 * the message partition, and the second one with it when the first cannot fill the page. The exact
 * hidden range is read (one more round trip) only when the bounded read does not cover the page's
 * range, and a second partition is read after the first only when the first might have filled it.
 */
@Service
public class PageService {

  /** The default and largest page. */
  static final int DEFAULT_LIMIT = 50;

  static final int MAX_LIMIT = 100;

  /**
   * Rows of the caller's hidden seqs read next to the anchor in the first round trip. A caller who
   * hid more than this many messages near the anchor costs one more round trip (the exact range).
   */
  static final int HIDDEN_PREFETCH = 128;

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
    // One round trip: membership, conversation row, bucket index, and the caller's hidden seqs next
    // to the anchor (a bounded read; the exact range is read later only when it falls short).
    CompletionStage<List<MessagePages.Bucket>> bucketIndex = pages.bucketsAsync(id);
    long belowAnchor =
        switch (anchor) {
          case NEWEST -> Long.MAX_VALUE;
          case BEFORE -> seq;
          case AROUND -> aroundUpper(seq);
          case AFTER -> -1;
        };
    CompletionStage<HiddenWindow> hiddenBelow =
        anchor == Anchor.AFTER
            ? null
            : pages.hiddenNearAsync(id, caller, belowAnchor, false, HIDDEN_PREFETCH);
    CompletionStage<HiddenWindow> hiddenAbove =
        anchor == Anchor.AFTER || anchor == Anchor.AROUND
            ? pages.hiddenNearAsync(id, caller, seq, true, HIDDEN_PREFETCH)
            : null;
    Conversation conversation = Async.await(conversations.requireMemberAsync(id, caller));
    List<MessagePages.Bucket> buckets = Async.await(bucketIndex);
    HiddenWindow below = hiddenBelow == null ? null : Async.await(hiddenBelow);
    HiddenWindow above = hiddenAbove == null ? null : Async.await(hiddenAbove);
    long last = conversation.lastMessageSeq();
    Page page =
        switch (anchor) {
          case NEWEST -> before(id, caller, buckets, Long.MAX_VALUE, limit, last, below);
          case BEFORE -> before(id, caller, buckets, seq, limit, last, below);
          case AFTER -> after(id, caller, buckets, seq, limit, above);
          case AROUND -> around(id, caller, buckets, seq, limit, last, below, above);
        };
    partitionsPerPage.record(page.partitionsRead());
    return page;
  }

  /** The exclusive upper bound of the older half of an around page. */
  private static long aroundUpper(long seq) {
    return seq == Long.MAX_VALUE ? seq : seq + 1;
  }

  private Page around(
      ConversationId id,
      UserId caller,
      List<MessagePages.Bucket> buckets,
      long seq,
      int limit,
      long last,
      HiddenWindow below,
      HiddenWindow above) {
    int older = (limit + 1) / 2;
    Page before = before(id, caller, buckets, aroundUpper(seq), older, last, below);
    Page after = after(id, caller, buckets, seq, limit - older, above);
    List<PageMessage> messages = new ArrayList<>(after.messages());
    messages.addAll(before.messages());
    return new Page(
        messages,
        before.hasMoreBefore(),
        limit - older == 0 ? seq < last : after.hasMoreAfter(),
        before.partitionsRead() + after.partitionsRead());
  }

  /**
   * Messages with seq below {@code seq}, newest first. Buckets are newest first. {@code
   * prefetched}: the caller's hidden seqs below {@code seq} read beside the membership check, used
   * when complete for the page's range.
   */
  private Page before(
      ConversationId id,
      UserId caller,
      List<MessagePages.Bucket> buckets,
      long seq,
      int limit,
      long last,
      HiddenWindow prefetched) {
    int start = 0;
    while (start < buckets.size() && buckets.get(start).firstSeq() >= seq) {
      start++;
    }
    boolean hasMoreAfter = seq <= last;
    if (start == buckets.size()) {
      return new Page(List.of(), false, hasMoreAfter, 0);
    }
    int end = Math.min(start + 1, buckets.size() - 1);
    long lowest = buckets.get(end).firstSeq();
    NavigableSet<Long> hidden =
        prefetched != null
                && !prefetched.above()
                && prefetched.anchor() == seq
                && prefetched.covers(lowest)
            ? prefetched.seqs()
            : pages.hidden(id, caller, lowest, seq - 1);
    // The first partition; the second one with it when the first cannot hold a full page (at most
    // one message per seq below seq, and below the newest message).
    MessagePages.Bucket first = buckets.get(start);
    int firstHidden = hidden.subSet(first.firstSeq(), true, seq, false).size();
    CompletionStage<List<PageMessage>> firstRead =
        pages.beforeAsync(id, first.number(), seq, limit + 1 + firstHidden);
    CompletionStage<List<PageMessage>> secondRead = null;
    long mostInFirst = Math.min(seq - 1, last) - first.firstSeq() + 1;
    if (end > start && mostInFirst - firstHidden < limit + 1) {
      MessagePages.Bucket second = buckets.get(end);
      int secondHidden = hidden.subSet(second.firstSeq(), true, first.firstSeq(), false).size();
      secondRead = pages.beforeAsync(id, second.number(), seq, limit + 1 + secondHidden);
    }
    List<PageMessage> out = new ArrayList<>(limit + 1);
    int reads = 0;
    long upper = seq;
    int i = start;
    for (; i <= end && out.size() <= limit; i++) {
      MessagePages.Bucket bucket = buckets.get(i);
      CompletionStage<List<PageMessage>> read;
      if (i == start) {
        read = firstRead;
      } else if (secondRead != null) {
        read = secondRead;
      } else {
        int overFetch = hidden.subSet(bucket.firstSeq(), true, upper, false).size();
        int want = limit + 1 - out.size();
        read = pages.beforeAsync(id, bucket.number(), seq, want + overFetch);
      }
      for (PageMessage m : Async.await(read)) {
        if (!hidden.contains(m.seq()) && out.size() <= limit) {
          out.add(m);
        }
      }
      reads++;
      upper = bucket.firstSeq();
    }
    if (secondRead != null) {
      reads = 2; // read even if the first partition filled the page after all
    }
    boolean hasMoreBefore = out.size() > limit || i < buckets.size();
    return new Page(trim(out, limit), hasMoreBefore, hasMoreAfter, reads);
  }

  /**
   * Messages with seq above {@code seq}, returned newest first. Buckets are newest first. {@code
   * prefetched}: the caller's hidden seqs above {@code seq}, used when complete for the range.
   */
  private Page after(
      ConversationId id,
      UserId caller,
      List<MessagePages.Bucket> buckets,
      long seq,
      int limit,
      HiddenWindow prefetched) {
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
    NavigableSet<Long> hidden =
        prefetched != null
                && prefetched.above()
                && prefetched.anchor() == seq
                && prefetched.covers(upper)
            ? prefetched.seqs()
            : pages.hidden(id, caller, seq + 1, upper);
    // The first partition; the second one with it when the first cannot fill the page (at most
    // one message per seq between seq and the next bucket's first seq).
    MessagePages.Bucket first = buckets.get(start);
    long firstFrom = Math.max(first.firstSeq(), seq + 1);
    long firstEnd = start == 0 ? Long.MAX_VALUE : buckets.get(start - 1).firstSeq();
    int firstHidden = hidden.subSet(firstFrom, true, firstEnd, false).size();
    CompletionStage<List<PageMessage>> firstRead =
        pages.afterAsync(id, first.number(), seq, limit + 1 + firstHidden);
    CompletionStage<List<PageMessage>> secondRead = null;
    if (end < start && firstEnd - firstFrom - firstHidden < limit + 1) {
      long secondEnd = end == 0 ? Long.MAX_VALUE : buckets.get(end - 1).firstSeq();
      int secondHidden = hidden.subSet(firstEnd, true, secondEnd, false).size();
      secondRead = pages.afterAsync(id, buckets.get(end).number(), seq, limit + 1 + secondHidden);
    }
    List<PageMessage> out = new ArrayList<>(limit + 1);
    int reads = 0;
    int i = start;
    for (; i >= end && out.size() <= limit; i--) {
      MessagePages.Bucket bucket = buckets.get(i);
      CompletionStage<List<PageMessage>> read;
      if (i == start) {
        read = firstRead;
      } else if (secondRead != null) {
        read = secondRead;
      } else {
        long bucketEnd = i == 0 ? Long.MAX_VALUE : buckets.get(i - 1).firstSeq();
        int overFetch =
            hidden.subSet(Math.max(bucket.firstSeq(), seq + 1), true, bucketEnd, false).size();
        int want = limit + 1 - out.size();
        read = pages.afterAsync(id, bucket.number(), seq, want + overFetch);
      }
      for (PageMessage m : Async.await(read)) {
        if (!hidden.contains(m.seq()) && out.size() <= limit) {
          out.add(m);
        }
      }
      reads++;
    }
    if (secondRead != null) {
      reads = 2;
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
