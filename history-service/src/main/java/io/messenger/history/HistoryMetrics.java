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
   * Distribution summary of the events one consensus round logged (group commit: the writes to one
   * conversation that queued while the previous round was in flight).
   */
  public static final String LOG_BATCH = "messenger.history.log.batch";

  /**
   * Counter of consensus rounds on the log, tagged {@code result}: {@code applied}, {@code raced}
   * (another writer moved the head first), {@code duplicate} (a client id was logged before).
   */
  public static final String LOG_ROUNDS = "messenger.history.log.rounds";

  /**
   * Counter, tag {@code by}: how the head hints and list position of an event logged in a shared
   * round were moved: {@code newest} (by the round's newest event, for the whole round) or {@code
   * own} (its writer moved them itself: the newest's writer failed or was late).
   */
  public static final String HEAD_MOVES = "messenger.history.log.head.moves";

  /**
   * Timer (with percentile histogram) of one step of a durable write, tagged {@code step}: {@code
   * reads} (membership, client id, relay mark, together), {@code commit} (queueing and the
   * consensus round), {@code complete} (client id record and read tables, together).
   */
  public static final String WRITE_STEP = "messenger.history.write.step";

  /**
   * Counter of Cassandra failures answered with 503, tagged {@code store} ({@code cassandra}) and
   * {@code kind} ({@code timeout}, {@code unavailable}, {@code other}).
   */
  public static final String STORE_ERRORS = "messenger.store.errors";

  private HistoryMetrics() {}
}
