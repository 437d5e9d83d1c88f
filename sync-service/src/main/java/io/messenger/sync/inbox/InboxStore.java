package io.messenger.sync.inbox;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import java.util.Collection;
import java.util.List;

/**
 * One offline inbox per user: a capped FIFO of {@link InboxItem}s addressed by cursors, plus each
 * device's acked cursor.
 *
 * <h2>Redis layout ({@link RedisInboxStore})</h2>
 *
 * Three keys per user {@code U}, one hash tag: {@code inbox:{U}} (STREAM; entry ids are the
 * cursors), {@code inbox-meta:{U}} (HASH) and {@code inbox-dedupe:{U}} (ZSET); each append
 * announces its entry on {@value #NEWS_CHANNEL} ({@link InboxNews}). Fields, bounds, TTLs, channels
 * and scripts are described once, in {@code docs/data-layout.md}, "Redis (sync-service)".
 *
 * <h2>Incarnations and gaps</h2>
 *
 * A live inbox is its meta hash and its stream. When {@code inbox-meta} is missing, or it records a
 * {@code last} id but the stream is gone, the inbox was lost (flush, eviction, expiry): the next
 * append or pull drops what is left of the user's keys and starts a new incarnation with {@code
 * since = <now + 1 ms>-0} (Redis server clock; or just after the lost head, when the surviving meta
 * hash tells one that is not older), and creates its stream empty with {@code since} as its last
 * generated id ({@code XADD MAXLEN 0 <since>}), so every entry of the new incarnation, even one
 * appended in the same millisecond, has an id strictly greater than {@code since}. Because stream
 * ids are Redis server time, every cursor of a lost incarnation, even one issued in the millisecond
 * of the loss, is smaller than {@code since}. The head of an inbox is {@code max(since, last)}. A
 * pull from cursor {@code C} answers {@link ResyncReason#GAP} (with the head, no entries) when
 *
 * <ol>
 *   <li>{@code C < since} and {@code C != 0-0} — a cursor of a lost incarnation ({@code 0-0} means
 *       "from the start of this incarnation"),
 *   <li>{@code C < trimmed} — entries after {@code C} were trimmed by the cap or the retention, or
 *   <li>{@code C > head} — a cursor this inbox never issued.
 * </ol>
 *
 * A pull without a cursor starts from the device's acked cursor (or a newer ack not yet written,
 * {@link PendingAcks}); a device without one gets {@link ResyncReason#NEW_DEVICE} and its cursor is
 * registered at the head. After a lost inbox the devices' cursors are lost too, so they get {@code
 * new_device}; either reason tells the client to re-read history.
 */
public interface InboxStore {

  /** The Redis pub/sub channel on which appends announce each new entry ({@link InboxNews}). */
  String NEWS_CHANNEL = "inbox-news";

  /**
   * The channel of the first layout: a bare user id whose inbox grew. Still subscribed to (a
   * re-read), and published to only with {@code messenger.inbox.v1-compatible}.
   */
  String SIGNAL_CHANNEL = "inbox-signal";

  /**
   * Appends {@code item} to each user's inbox unless its dedupe key is already there, announcing
   * each new entry on {@link #NEWS_CHANNEL}. Idempotent: repeating it appends nothing and announces
   * nothing.
   */
  List<AppendResult> append(Collection<UserId> users, InboxItem item);

  /**
   * Reads up to {@code limit} entries strictly after {@code cursor} (or, when {@code cursor} is
   * {@code null}, after the device's acked cursor or {@code pendingAck}, whichever is newer),
   * applying the retention first; and, in the same round trip, the device's side of the large-group
   * index ({@link PullResult#largeGroupState()}), whose keys share the user's slot.
   */
  PullResult pull(
      UserId user, DeviceId device, InboxCursor cursor, InboxCursor pendingAck, int limit);

  /** The head of the user's inbox ({@code max(since, last)}), or {@code null} when none exists. */
  InboxCursor head(UserId user);

  /**
   * Moves the device's acked cursor to {@code cursor} if that is newer; returns whether it moved.
   * Does nothing when the inbox does not exist.
   */
  boolean ack(UserId user, DeviceId device, InboxCursor cursor);

  /** The device's stored acked cursor, or {@code null}. */
  InboxCursor ackedCursor(UserId user, DeviceId device);
}
