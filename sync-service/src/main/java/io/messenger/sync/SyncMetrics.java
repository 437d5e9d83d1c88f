package io.messenger.sync;

/**
 * The names of every meter of the sync-service, in one place (the catalogue with the operator
 * question each answers is {@code docs/metrics.md}). Tags are bounded ({@code reason}, {@code
 * kind}, {@code outcome}, {@code type}, {@code store}); never a user, device or conversation id.
 */
public final class SyncMetrics {

  /**
   * Timer (with percentile histogram) of inbox pulls, tagged {@code mode}: {@code immediate}
   * (answered at once) or {@code longpoll} (parked, so including the wait).
   */
  public static final String PULL = "messenger.sync.pull";

  /** Distribution summary of the number of entries a pull returns. */
  public static final String PULL_ENTRIES = "messenger.sync.pull.entries";

  /** Counter of resync answers, tagged {@code reason} ({@code new_device}, {@code gap}). */
  public static final String RESYNC = "messenger.sync.resync";

  /** Gauge of the long-polls parked on this instance. */
  public static final String LONGPOLL_PARKED = "messenger.sync.longpoll.parked";

  /** Counter of parked long-polls answered because a new entry arrived. */
  public static final String LONGPOLL_WAKEUPS = "messenger.sync.longpoll.wakeups";

  /** Counter of long-polls refused because too many were parked. */
  public static final String LONGPOLL_REFUSED = "messenger.sync.longpoll.refused";

  /**
   * Timer (with percentile histogram) of one step of a client write, tagged {@code step}: {@code
   * history} (the call that makes it durable, HTTP included) and {@code fanout} (the inbox
   * appends).
   */
  public static final String WRITE_STEP = "messenger.sync.write.step";

  /** Counter of inbox entries the delivery relay added: entries a write's fan-out had missed. */
  public static final String DELIVERY_REDRIVEN = "messenger.delivery.redriven";

  /** Counter of logged events the delivery relay checked against the inboxes. */
  public static final String DELIVERY_CHECKED = "messenger.delivery.checked";

  /**
   * Timer (with percentile histogram) of how late the relay delivered an entry the fan-out had
   * missed: from the event's time to its append (the promise: at most {@code
   * messenger.delivery.max-lag}).
   */
  public static final String DELIVERY_LAG = "messenger.delivery.lag";

  /** Counter of relay shard sweeps, tagged {@code outcome} ({@code done}, {@code failed}). */
  public static final String DELIVERY_SWEEPS = "messenger.delivery.sweeps";

  /**
   * Counter of the events this instance's writes delivered themselves and reported to the relay,
   * tagged {@code outcome}: {@code reported} (the relay need not check them again), {@code dropped}
   * (the queue was full or the report failed: a sweep checks them instead).
   */
  public static final String DELIVERY_CONFIRMATIONS = "messenger.delivery.confirmations";

  /** Gauge of the relay shards this instance holds the lease of. */
  public static final String DELIVERY_SHARDS = "messenger.delivery.shards";

  /** Counter of acks received from clients. */
  public static final String ACK_RECEIVED = "messenger.sync.ack.received";

  /** Counter of ack writes to the store (after coalescing). */
  public static final String ACK_WRITES = "messenger.sync.ack.writes";

  /** Counter of inbox appends, tagged {@code outcome} ({@code added}, {@code duplicate}). */
  public static final String INBOX_APPEND = "messenger.inbox.append";

  /**
   * Counter of client writes, tagged {@code kind} ({@code conversation}, {@code members}, {@code
   * message}, {@code operation}) and {@code outcome} ({@code created}, {@code retried}, {@code
   * rejected}, {@code unavailable}).
   */
  public static final String SEND = "messenger.sync.send";

  /** Distribution summary of the number of inboxes one write is fanned out to. */
  public static final String FANOUT_SIZE = "messenger.sync.fanout.size";

  /**
   * Counter of operations, tagged {@code type} ({@code delete_for_me}, {@code recall}, {@code
   * edit}, {@code read}) and {@code outcome} (as {@link #SEND}).
   */
  public static final String OPERATIONS = "messenger.sync.operations";

  /** Counter of inbox entries trimmed, tagged {@code reason} ({@code cap}, {@code retention}). */
  public static final String INBOX_TRIMMED = "messenger.inbox.trimmed";

  /** Distribution summary of the length of an inbox stream, sampled on every pull. */
  public static final String INBOX_DEPTH = "messenger.inbox.depth";

  /**
   * Counter of store failures, tagged {@code store} ({@code redis}, {@code history}) and {@code
   * kind} ({@code timeout}, {@code connection}, {@code server_error}, {@code auth}, {@code
   * bad_response}, {@code other}).
   */
  public static final String STORE_ERRORS = "messenger.store.errors";

  private SyncMetrics() {}
}
