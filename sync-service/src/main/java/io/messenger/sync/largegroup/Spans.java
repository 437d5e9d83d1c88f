package io.messenger.sync.largegroup;

import io.messenger.model.ConversationId;
import io.messenger.sync.inbox.LargeGroupNews;

/**
 * Reads a large group's head value, {@code "<head> <at> <spans>"} (written by the {@code lg_*.lua}
 * scripts): the newest seq every member must hear of, its time, and the group's large periods
 * {@code F-U} (read diffusion carried seqs F+1..U) and, last, possibly an open one {@code F-}.
 * Between periods the group had write diffusion: those events are in the inboxes.
 */
final class Spans {

  private Spans() {}

  /** Whether {@code seq} lies in one of the periods of {@code value} (F < seq <= U, or F < seq). */
  static boolean covers(String value, long seq) {
    String[] parts = value.split(" ", 3);
    for (String span : parts.length > 2 ? parts[2].split(",") : new String[0]) {
      if (span.isEmpty()) {
        continue;
      }
      int dash = span.indexOf('-');
      String end = span.substring(dash + 1);
      if (seq > Long.parseLong(span.substring(0, dash))
          && (end.isEmpty() || seq <= Long.parseLong(end))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The news a device has in the group when it has everything up to {@code from} (its ack, or the
   * seq it joined at): walking the periods, the first one with events after what it has; {@code
   * null} when there is none. Skipping a gap between periods is what keeps events that went to the
   * inboxes from being reported again.
   */
  static LargeGroupNews news(ConversationId id, String value, long from) {
    String[] parts = value.split(" ", 3);
    long head = Long.parseLong(parts[0]);
    long at = Long.parseLong(parts[1]);
    long have = from;
    for (String span : parts.length > 2 ? parts[2].split(",") : new String[0]) {
      if (span.isEmpty()) {
        continue;
      }
      int dash = span.indexOf('-');
      long start = Long.parseLong(span.substring(0, dash));
      String end = span.substring(dash + 1);
      have = Math.max(have, start);
      long last = end.isEmpty() ? head : Math.min(head, Long.parseLong(end));
      if (last > have) {
        return new LargeGroupNews(id, have, last, at);
      }
      if (!end.isEmpty()) {
        // A closed period read to its end (or to the head): on to the next one, skipping the
        // write-diffusion events between them.
        have = Math.max(have, Long.parseLong(end));
      }
    }
    return null;
  }

  /**
   * What a device that has everything up to {@code from} has of the group when {@link #news} finds
   * nothing and the group's newest period is open: then the next event every member must hear of
   * ({@code lg_advance.lua} moves the head, the open period stays open) is news from exactly that
   * seq on, as long as that period (named by its start) is still the newest. {@code null} otherwise
   * (news now, no period, or the newest period closed: a re-read decides).
   */
  static LargeGroupStore.Quiet quietOpen(String value, long from) {
    String[] parts = value.split(" ", 3);
    long head = Long.parseLong(parts[0]);
    long have = from;
    boolean open = false;
    long start = -1;
    for (String span : parts.length > 2 ? parts[2].split(",") : new String[0]) {
      if (span.isEmpty()) {
        continue;
      }
      int dash = span.indexOf('-');
      start = Long.parseLong(span.substring(0, dash));
      String end = span.substring(dash + 1);
      have = Math.max(have, start);
      if (!end.isEmpty() && Long.parseLong(end) > Math.max(head, have)) {
        // A closed period whose end lies above the head: once the head moves past it, its tail
        // (events that did not move the head, up to the shrink) is news before the new event.
        return null;
      }
      long last = end.isEmpty() ? head : Math.min(head, Long.parseLong(end));
      if (last > have) {
        return null; // news now
      }
      open = end.isEmpty();
      if (!open) {
        have = Math.max(have, Long.parseLong(end));
      }
    }
    return open ? new LargeGroupStore.Quiet(have, start) : null;
  }
}
