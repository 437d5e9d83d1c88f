package io.messenger.history.cassandra;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BinaryOperator;

/**
 * What this instance learned from Cassandra and remembers only to save work: a statement, a read, a
 * consensus round. Every user of a memo must stay correct when an entry is missing (it then reads
 * or writes as if it never knew), so the memo may forget at any time, and it does: when it holds
 * {@code maxEntries} it is cleared, which bounds its memory whatever the number of conversations
 * and costs one extra statement per entry afterwards.
 *
 * <p>An entry only ever moves one way ({@code merge}: the newer head, the larger seq, the smaller
 * first seq), so concurrent writers of one key cannot move it back.
 */
public final class Memo<K, V> {

  /** The bound every memo of the history-service uses: about 10 MB at most each. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();
  private final int maxEntries;
  private final BinaryOperator<V> merge;

  public Memo(BinaryOperator<V> merge) {
    this(DEFAULT_MAX_ENTRIES, merge);
  }

  public Memo(int maxEntries, BinaryOperator<V> merge) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be at least 1");
    }
    this.maxEntries = maxEntries;
    this.merge = merge;
  }

  /** The remembered value of {@code key}, or null when not known (never known, or forgotten). */
  public V get(K key) {
    return entries.get(key);
  }

  /** Remembers {@code value} for {@code key}, merged with what was known of it. */
  public void remember(K key, V value) {
    if (entries.size() >= maxEntries) {
      entries.clear();
    }
    entries.merge(key, value, merge);
  }

  /** Entries held now (for tests). */
  int size() {
    return entries.size();
  }
}
