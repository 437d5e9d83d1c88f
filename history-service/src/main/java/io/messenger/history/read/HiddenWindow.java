package io.messenger.history.read;

import java.util.NavigableSet;

/**
 * The caller's hidden seqs (delete-for-me) next to an anchor, read with a row limit: the hidden
 * seqs below the anchor (exclusive) from the greatest down, or above it from the smallest up. When
 * the read hit its limit ({@code truncated}) it is complete only up to the farthest seq it
 * returned.
 *
 * @param seqs the hidden seqs read
 * @param anchor the anchor seq (exclusive)
 * @param above whether the seqs are above the anchor (else below)
 * @param truncated whether the read returned as many rows as its limit (more may exist)
 */
record HiddenWindow(NavigableSet<Long> seqs, long anchor, boolean above, boolean truncated) {

  /**
   * Whether this window holds every hidden seq between the anchor (exclusive) and {@code bound}
   * (inclusive): {@code bound} is the lowest seq a page below the anchor may contain, or the
   * highest a page above it may contain.
   */
  boolean covers(long bound) {
    if (!truncated || seqs.isEmpty()) {
      return !truncated;
    }
    return above ? bound <= seqs.last() : bound >= seqs.first();
  }
}
