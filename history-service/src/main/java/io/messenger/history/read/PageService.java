package io.messenger.history.read;

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
          case NEWEST ->
              walk(id, caller, buckets, Direction.OLDER, Long.MAX_VALUE, limit, last, below);
          case BEFORE -> walk(id, caller, buckets, Direction.OLDER, seq, limit, last, below);
          case AFTER -> walk(id, caller, buckets, Direction.NEWER, seq, limit, last, above);
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
    Page before = walk(id, caller, buckets, Direction.OLDER, aroundUpper(seq), older, last, below);
    Page after = walk(id, caller, buckets, Direction.NEWER, seq, limit - older, last, above);
    List<PageMessage> messages = new ArrayList<>(after.messages());
    messages.addAll(before.messages());
    return new Page(
        messages,
        before.hasMoreBefore(),
        limit - older == 0 ? seq < last : after.hasMoreAfter(),
        before.partitionsRead() + after.partitionsRead());
  }

  /**
   * Which way a page reads from its anchor: toward older seqs (below it) or newer ones (above it).
   * {@code step} moves through the buckets, which are newest first.
   */
  private enum Direction {
    OLDER(1),
    NEWER(-1);

    final int step;

    Direction(int step) {
      this.step = step;
    }
  }

  /**
   * Messages with seq below {@code seq} ({@link Direction#OLDER}) or above it ({@link
   * Direction#NEWER}), newest first. Buckets are newest first. {@code prefetched}: the caller's
   * hidden seqs on that side of {@code seq} read beside the membership check, used when complete
   * for the page's range. {@code last}: the newest message's seq.
   */
  private Page walk(
      ConversationId id,
      UserId caller,
      List<MessagePages.Bucket> buckets,
      Direction direction,
      long seq,
      int limit,
      long last,
      HiddenWindow prefetched) {
    boolean newer = direction == Direction.NEWER;
    // The page's seqs are [from, to); bucket i holds [firstSeq(i), endOf(i)).
    long from = newer ? seq + 1 : Long.MIN_VALUE;
    long to = newer ? Long.MAX_VALUE : seq;
    // Whether messages lie on the other side of the anchor.
    boolean behind = newer ? hasAnyUpTo(buckets, seq) : seq <= last;
    // The bucket of the seq next to the anchor (above it: the oldest one when all start higher).
    int start = newest(buckets, newer ? seq + 1 : seq - 1);
    if (newer) {
      start = Math.min(start, buckets.size() - 1);
    }
    if (start < 0 || start == buckets.size() || limit == 0) {
      return page(direction, List.of(), limit, false, behind, 0);
    }
    // The page spans at most this bucket and the next one in the direction.
    int end = Math.max(0, Math.min(start + direction.step, buckets.size() - 1));
    // The farthest seq the page may reach: the far end of that next bucket.
    long far =
        newer ? (end == 0 ? Long.MAX_VALUE : endOf(buckets, end) - 1) : buckets.get(end).firstSeq();
    NavigableSet<Long> hidden =
        prefetched != null
                && prefetched.above() == newer
                && prefetched.anchor() == seq
                && prefetched.covers(far)
            ? prefetched.seqs()
            : newer
                ? pages.hidden(id, caller, seq + 1, far)
                : pages.hidden(id, caller, far, seq - 1);
    // The first partition; the second one with it when the first cannot hold a full page (at most
    // one message per seq of its part of the page; below the anchor, none above the newest one).
    MessagePages.Bucket first = buckets.get(start);
    long firstFrom = Math.max(first.firstSeq(), from);
    long firstTo = Math.min(endOf(buckets, start), to);
    int firstHidden = hiddenIn(hidden, buckets, start, from, to);
    CompletionStage<List<PageMessage>> firstRead =
        read(direction, id, first.number(), seq, limit + 1 + firstHidden);
    CompletionStage<List<PageMessage>> secondRead = null;
    long mostInFirst = (newer ? firstTo : Math.min(firstTo, last + 1)) - firstFrom;
    if (end != start && mostInFirst - firstHidden < limit + 1) {
      int secondHidden = hiddenIn(hidden, buckets, end, from, to);
      secondRead = read(direction, id, buckets.get(end).number(), seq, limit + 1 + secondHidden);
    }
    List<PageMessage> out = new ArrayList<>(limit + 1);
    int reads = 0;
    int i = start;
    for (; i != end + direction.step && out.size() <= limit; i += direction.step) {
      CompletionStage<List<PageMessage>> read;
      if (i == start) {
        read = firstRead;
      } else if (secondRead != null) {
        read = secondRead;
      } else {
        int overFetch = hiddenIn(hidden, buckets, i, from, to);
        int want = limit + 1 - out.size();
        read = read(direction, id, buckets.get(i).number(), seq, want + overFetch);
      }
      for (PageMessage m : Async.await(read)) {
        if (!hidden.contains(m.seq()) && out.size() <= limit) {
          out.add(m);
        }
      }
      reads++;
    }
    if (secondRead != null) {
      reads = 2; // read even if the first partition filled the page after all
    }
    boolean beyond = out.size() > limit || (i >= 0 && i < buckets.size());
    return page(direction, out, limit, beyond, behind, reads);
  }

  /** At most {@code limit} messages of {@code bucket} beyond {@code seq}, nearest it first. */
  private CompletionStage<List<PageMessage>> read(
      Direction direction, ConversationId id, long bucket, long seq, int limit) {
    return direction == Direction.NEWER
        ? pages.afterAsync(id, bucket, seq, limit)
        : pages.beforeAsync(id, bucket, seq, limit);
  }

  /**
   * A page of the messages read ({@code nearest}: nearest the anchor first), newest first; {@code
   * beyond}: more lie past it in its direction, {@code behind}: on the other side of the anchor.
   */
  private static Page page(
      Direction direction,
      List<PageMessage> nearest,
      int limit,
      boolean beyond,
      boolean behind,
      int reads) {
    List<PageMessage> messages = trim(nearest, limit);
    if (direction == Direction.NEWER) {
      Collections.reverse(messages);
      return new Page(messages, behind, beyond, reads);
    }
    return new Page(messages, beyond, behind, reads);
  }

  /** The index of the newest bucket starting at or below {@code seq}; the size when none does. */
  private static int newest(List<MessagePages.Bucket> buckets, long seq) {
    int i = 0;
    while (i < buckets.size() && buckets.get(i).firstSeq() > seq) {
      i++;
    }
    return i;
  }

  /** The first seq above bucket {@code i}: the next newer bucket's first, or none. */
  private static long endOf(List<MessagePages.Bucket> buckets, int i) {
    return i == 0 ? Long.MAX_VALUE : buckets.get(i - 1).firstSeq();
  }

  /** The hidden seqs in bucket {@code i} and in [{@code from}, {@code to}). */
  private static int hiddenIn(
      NavigableSet<Long> hidden, List<MessagePages.Bucket> buckets, int i, long from, long to) {
    long lower = Math.max(buckets.get(i).firstSeq(), from);
    long upper = Math.min(endOf(buckets, i), to);
    return hidden.subSet(lower, true, upper, false).size();
  }

  private static boolean hasAnyUpTo(List<MessagePages.Bucket> buckets, long seq) {
    return !buckets.isEmpty() && buckets.get(buckets.size() - 1).firstSeq() <= seq;
  }

  private static List<PageMessage> trim(List<PageMessage> messages, int limit) {
    return new ArrayList<>(messages.subList(0, Math.min(limit, messages.size())));
  }
}
