package io.messenger.sync.inbox;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.InboxEntry;
import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@link InboxStore} in memory for unit tests: no cap, no retention, one incarnation per user
 * (created by its first append or pull, head {@code 1-0} while empty). Counts ack writes and calls
 * {@code onAppend} for each user whose inbox grew. {@link InMemoryInboxStoreTest} runs the store
 * contract ({@link InboxStoreContract}) against it, as {@link RedisInboxStoreContractIT} does
 * against Redis.
 */
public class InMemoryInboxStore implements InboxStore {

  private final Map<UserId, NavigableMap<InboxCursor, InboxItem>> streams = new HashMap<>();
  private final Map<UserId, Set<String>> dedupe = new HashMap<>();
  private final Map<String, InboxCursor> devices = new HashMap<>();
  private final AtomicInteger ackWrites = new AtomicInteger();
  private final EntryJson wire = new EntryJson(JsonMapper.builder().build());
  private long clock = 1_000;
  private Consumer<UserId> onAppend = user -> {};

  public synchronized void onAppend(Consumer<UserId> listener) {
    this.onAppend = listener;
  }

  public int ackWrites() {
    return ackWrites.get();
  }

  @Override
  public List<AppendResult> append(Collection<UserId> users, InboxItem item) {
    List<AppendResult> results = new ArrayList<>();
    List<UserId> grown = new ArrayList<>();
    synchronized (this) {
      for (UserId user : users) {
        NavigableMap<InboxCursor, InboxItem> stream = stream(user);
        if (!dedupe.computeIfAbsent(user, u -> new HashSet<>()).add(item.dedupeKey())) {
          results.add(new AppendResult(user, false, headOf(user)));
          continue;
        }
        InboxCursor cursor = new InboxCursor(++clock, 0);
        stream.put(cursor, item);
        results.add(new AppendResult(user, true, cursor));
        grown.add(user);
      }
    }
    grown.forEach(onAppend);
    return results;
  }

  @Override
  public synchronized PullResult pull(
      UserId user, DeviceId device, InboxCursor cursor, InboxCursor pendingAck, int limit) {
    stream(user); // a pull creates the inbox, as a new incarnation does in Redis
    InboxCursor head = headOf(user);
    InboxCursor from = cursor;
    if (from == null) {
      InboxCursor acked = devices.get(key(user, device));
      from =
          acked == null
              ? pendingAck
              : pendingAck == null || acked.isAfter(pendingAck) ? acked : pendingAck;
      if (from == null) {
        devices.put(key(user, device), head);
        return new PullResult(ResyncReason.NEW_DEVICE, head, head, List.of(), false);
      }
    }
    if (from.isAfter(head)) {
      return new PullResult(ResyncReason.GAP, head, from, List.of(), false);
    }
    List<WireEntry> entries = new ArrayList<>();
    for (Map.Entry<InboxCursor, InboxItem> e : stream(user).tailMap(from, false).entrySet()) {
      entries.add(wire.wire(new InboxEntry(e.getKey(), e.getValue())));
    }
    boolean more = entries.size() > limit;
    return new PullResult(null, head, from, more ? entries.subList(0, limit) : entries, more);
  }

  @Override
  public synchronized InboxCursor head(UserId user) {
    return streams.containsKey(user) ? headOf(user) : null;
  }

  @Override
  public synchronized boolean ack(UserId user, DeviceId device, InboxCursor cursor) {
    ackWrites.incrementAndGet();
    if (!streams.containsKey(user)) {
      return false; // an ack of a lost (here: never created) inbox is dropped
    }
    InboxCursor current = devices.get(key(user, device));
    if (current != null && !cursor.isAfter(current)) {
      return false;
    }
    devices.put(key(user, device), cursor);
    return true;
  }

  @Override
  public synchronized InboxCursor ackedCursor(UserId user, DeviceId device) {
    return devices.get(key(user, device));
  }

  private NavigableMap<InboxCursor, InboxItem> stream(UserId user) {
    return streams.computeIfAbsent(user, u -> new TreeMap<>());
  }

  private InboxCursor headOf(UserId user) {
    NavigableMap<InboxCursor, InboxItem> stream = stream(user);
    return stream.isEmpty() ? new InboxCursor(1, 0) : stream.lastKey();
  }

  private static String key(UserId user, DeviceId device) {
    return user.value() + "/" + device.value();
  }
}
