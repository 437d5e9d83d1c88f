package io.messenger.history.read;

import io.messenger.history.cassandra.Async;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.CompletionStage;

/**
 * Reads of the message pages. Tables: {@code messages} (partition = conversation and message bucket
 * of 1000 messages, clustering seq descending), {@code message_buckets} (the first seq of every
 * bucket, one small partition per conversation), {@code hidden_messages} (the caller's
 * delete-for-me overlay, partition = conversation and user) and {@code read_markers}.
 */
interface MessagePages {

  /** Bucket number and first seq, newest bucket first. */
  record Bucket(long number, long firstSeq) {}

  List<Bucket> buckets(ConversationId id);

  /** {@link #buckets} without waiting: read together with the membership check. */
  CompletionStage<List<Bucket>> bucketsAsync(ConversationId id);

  /** Messages of one bucket with seq below {@code seq}, newest first. */
  default List<PageMessage> before(ConversationId id, long bucket, long seq, int limit) {
    return Async.await(beforeAsync(id, bucket, seq, limit));
  }

  /** {@link #before} without waiting: two candidate partitions of a page are read together. */
  CompletionStage<List<PageMessage>> beforeAsync(
      ConversationId id, long bucket, long seq, int limit);

  /** Messages of one bucket with seq above {@code seq}, oldest first. */
  default List<PageMessage> after(ConversationId id, long bucket, long seq, int limit) {
    return Async.await(afterAsync(id, bucket, seq, limit));
  }

  /** {@link #after} without waiting. */
  CompletionStage<List<PageMessage>> afterAsync(
      ConversationId id, long bucket, long seq, int limit);

  /** The seqs {@code user} hid in the conversation within [{@code from}, {@code to}]. */
  NavigableSet<Long> hidden(ConversationId id, UserId user, long from, long to);

  /**
   * The at most {@code max} greatest seqs {@code user} hid below {@code seq} (exclusive), or, when
   * {@code above}, the at most {@code max} smallest above it. Issued before the bucket index is
   * known, beside the membership check; {@link HiddenWindow#covers} tells whether it is complete
   * for a range.
   */
  CompletionStage<HiddenWindow> hiddenNearAsync(
      ConversationId id, UserId user, long seq, boolean above, int max);

  /** The user's read marker, 0 before any. */
  long readSeq(ConversationId id, UserId user);
}
