package io.messenger.history.page;

/** Metric names of the history-service read side (docs/metrics.md). */
final class HistoryMetrics {

  /** Message partitions read per page (distribution summary). */
  static final String PAGE_PARTITIONS = "messenger.history.page.partitions";

  private HistoryMetrics() {}
}
