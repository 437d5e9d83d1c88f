package io.messenger.history.write;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Group commit: writes to one key (a conversation) that arrive while a commit for that key is in
 * flight wait in the key's lane and go out together in the next one, so a burst of N concurrent
 * writes costs about two commits instead of N.
 *
 * <p>No thread of its own: the first writer of an idle lane leads, commits the queued writes (up to
 * {@code maxBatch}, itself included), then hands the lead to the oldest write still queued and
 * returns. A writer that waited is woken either with its result or with the lead, so every request
 * thread commits at most one batch and none serves others' requests for long. The commit function
 * must resolve every item it is given (see {@link Item#resolve}).
 */
final class CommitLanes<T extends CommitLanes.Item> {

  /** A queued write: resolved by the commit, or handed the lead. */
  abstract static class Item {
    private final CompletableFuture<Boolean> wake = new CompletableFuture<>();
    private volatile boolean resolved;

    /** Marks this item done: its own result is set by the commit before this call. */
    final void resolve() {
      resolved = true;
      wake.complete(Boolean.FALSE);
    }

    final boolean resolved() {
      return resolved;
    }

    /** Waits until resolved (false) or handed the lead (true). */
    final boolean awaitLeadOrResult() {
      return wake.join();
    }

    final void handLead() {
      wake.complete(Boolean.TRUE);
    }
  }

  private static final class Lane<T> {
    final ArrayDeque<T> queue = new ArrayDeque<>();
    boolean leading;
  }

  private final ConcurrentHashMap<String, Lane<T>> lanes = new ConcurrentHashMap<>();
  private final int maxBatch;

  CommitLanes(int maxBatch) {
    this.maxBatch = maxBatch;
  }

  /**
   * Queues {@code item} in the lane of {@code key} and returns once the item is resolved, having
   * run {@code commit} for a batch that contains it when this thread was given the lead.
   */
  void submit(String key, T item, Consumer<List<T>> commit) {
    boolean[] lead = new boolean[1];
    lanes.compute(
        key,
        (k, lane) -> {
          Lane<T> l = lane == null ? new Lane<>() : lane;
          l.queue.add(item);
          if (!l.leading) {
            l.leading = true;
            lead[0] = true;
          }
          return l;
        });
    if (!lead[0] && !item.awaitLeadOrResult()) {
      return; // resolved by another thread's commit
    }
    lead(key, item, commit);
  }

  private void lead(String key, T self, Consumer<List<T>> commit) {
    List<T> batch = new ArrayList<>();
    lanes.computeIfPresent(
        key,
        (k, lane) -> {
          while (!lane.queue.isEmpty() && batch.size() < maxBatch) {
            batch.add(lane.queue.poll());
          }
          return lane;
        });
    try {
      commit.accept(batch);
    } finally {
      for (T item : batch) {
        if (!item.resolved()) {
          item.resolve(); // the commit failed before resolving it: its result field says so
        }
      }
      handOver(key);
    }
    if (!self.resolved()) {
      throw new IllegalStateException("a lane leader's own write was not in its batch");
    }
  }

  private void handOver(String key) {
    List<T> next = new ArrayList<>(1);
    lanes.computeIfPresent(
        key,
        (k, lane) -> {
          if (lane.queue.isEmpty()) {
            return null; // idle: the lane goes away, the next writer leads
          }
          next.add(lane.queue.peek());
          return lane;
        });
    if (!next.isEmpty()) {
      next.get(0).handLead();
    }
  }

  /** Lanes that exist now (busy keys); for tests and metrics. */
  int busyLanes() {
    return lanes.size();
  }
}
