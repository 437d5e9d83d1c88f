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
 * Every key of user {@code U} carries the hash tag {@code {U}}, so all of them live in one Redis
 * Cluster slot; no script touches two users' keys.
 *
 * <ul>
 *   <li>{@code inbox:{U}} — STREAM, one entry per item, fields {@code w} (the entry's wire form
 *       without its cursor, {@link EntryJson}) and {@code k} (its dedupe key); entries of the first
 *       layout, or written with {@code messenger.inbox.v1-compatible}, also carry {@code d} (the
 *       item as JSON), which pulls read only when {@code w} is missing. Entry ids ({@code
 *       <millis>-<seq>}) are the cursors. Capped exactly at {@code messenger.inbox.max-entries}
 *       (oldest first) and trimmed to {@code messenger.inbox.retention} ({@code XTRIM MINID now -
 *       retention}) on every append and every pull. Trimming never looks at device cursors.
 *   <li>{@code inbox-meta:{U}} — HASH: {@code since} = start of the current incarnation ({@code
 *       <millis>-0}, from the Redis server clock); {@code last} = last generated entry id; {@code
 *       trimmed} = the newest entry id ever trimmed (cap or retention); {@code dev:<deviceId>} =
 *       that device's acked cursor (only moves forward).
 *   <li>{@code inbox-dedupe:{U}} — ZSET, member = dedupe key of an appended item, score = millis of
 *       its entry id; trimmed to the retention and to the newest {@code 2 × max-entries} members.
 *       An append whose key is present adds nothing, so retried fan-outs deliver nothing twice.
 * </ul>
 *
 * All three keys get {@code PEXPIRE retention} on every append, pull and ack write: an idle inbox
 * disappears entirely. The append script also {@code PUBLISH}es each new entry on the channel
 * {@value #NEWS_CHANNEL} ({@link InboxNews}: user, previous entry id, new entry id, wire form), so
 * that parked long-polls on every instance wake up, most of them without reading the inbox again.
 * With {@code messenger.inbox.v1-compatible} it also publishes the bare user id on {@value
 * #SIGNAL_CHANNEL}, which instances of the first layout listen to.
 *
 * <h2>Incarnations and gaps</h2>
 *
 * When {@code inbox-meta} is missing, or it records a {@code last} id but the stream is gone, the
 * inbox was lost (flush, eviction, expiry): the next append or pull drops what is left of the
 * user's keys and starts a new incarnation with {@code since = <now - 1 ms>-0}. Because stream ids
 * are time-based, all cursors of a lost incarnation are smaller than {@code since}. The head of an
 * inbox is {@code max(since, last)}. A pull from cursor {@code C} answers {@link ResyncReason#GAP}
 * (with the head, no entries) when
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
   * applying the retention first.
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
