package io.messenger.history;

/**
 * The names of every meter of the history-service, in one place (the catalogue with the operator
 * question each answers is {@code docs/metrics.md}). Tags are bounded ({@code anchor}, {@code
 * kind}, {@code outcome}, {@code store}); never a user or conversation id.
 */
public final class HistoryMetrics {

  /**
   * Timer (with percentile histogram) of history pages, tagged {@code anchor} ({@code newest},
   * {@code before}, {@code after}, {@code around}).
   */
  public static final String PAGE = "messenger.history.page";

  /** Message partitions read per page (distribution summary). */
  public static final String PAGE_PARTITIONS = "messenger.history.page.partitions";

  /**
   * Timer (with percentile histogram) of a whole durable write (idempotency check, seq, log append,
   * read tables), tagged {@code kind} ({@code message}, {@code operation}) and {@code outcome}
   * ({@code created}, {@code retried}, {@code rejected}, {@code failed}).
   */
  public static final String WRITE = "messenger.history.write";

  /**
   * Timer (with percentile histogram) of the event log append alone (the conditional insert that
   * takes the seq), tagged {@code kind} ({@code message}, {@code operation}).
   */
  public static final String LOG_APPEND = "messenger.history.log.append";

  /**
   * Counter of Cassandra failures answered with 503, tagged {@code store} ({@code cassandra}) and
   * {@code kind} ({@code timeout}, {@code unavailable}, {@code other}).
   */
  public static final String STORE_ERRORS = "messenger.store.errors";

  private HistoryMetrics() {}
}
