package io.messenger.history.activity;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.messenger.history.cassandra.Async;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.history.cassandra.Window;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationRows;
import io.messenger.history.conversation.ConversationStore;
import io.messenger.history.conversation.FanoutProperties;
import io.messenger.history.conversation.MembershipIndex;
import io.messenger.history.write.EventIndex;
import io.messenger.history.write.EventLog;
import io.messenger.history.write.LoggedEvent;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.stereotype.Repository;

/**
 * The conversation list ordered by activity: a per-user index in which one page reads O(limit)
 * rows, whatever the number of the user's conversations (V005__activity_index.cql,
 * docs/data-layout.md "The activity index").
 *
 * <p>A conversation's <b>position</b> is the time of its newest event (then its id, both
 * descending); before its first event, its creation time. Tables:
 *
 * <ul>
 *   <li>{@code conversations.last_event_seq / last_event_at}: the position, written by every event
 *       with {@code USING TIMESTAMP <seq>}; {@code listed_as_large}: whether the conversation is
 *       listed through {@code user_large_groups} (written by creation and member changes).
 *   <li>{@code user_activity}, partition {@code (user_id, bucket)} (bucket = day of {@code
 *       active_at}), clustering {@code (active_at DESC, conversation_id DESC)}: one live row per
 *       write-diffusion conversation of the user, at its position. Event {@code s} moves the row of
 *       every member: {@code DELETE} at the position of event {@code s - 1} with write timestamp
 *       {@link #ts ts(s, 0, delete)}, {@code INSERT} at its own with {@code ts(s, 0, insert)}. Seqs
 *       are dense, so every position is deleted by its successor whatever the order the projections
 *       run in, and a replayed projection never revives a position (its insert is older than the
 *       successor's delete).
 *   <li>{@code user_activity_buckets}, partition {@code user_id}, clustering {@code bucket DESC}:
 *       the buckets that may hold the user's rows; a list read walks these only.
 *   <li>{@code user_large_groups}, partition {@code user_id}, clustering {@code conversation_id}:
 *       the user's large groups (more than {@code messenger.fanout.max-inbox-members} members),
 *       whose events write no per member row; a page reads them all and merges their positions.
 *   <li>{@code user_activity_backfill}: users whose conversations from before V005 were indexed.
 * </ul>
 *
 * <p>A list read checks every row it returns against the conversation (position, membership, mode):
 * a row left behind by a failed or raced write is skipped and repaired, never shown at a wrong
 * place.
 */
@Repository
public class ActivityIndex implements MembershipIndex, EventIndex {

  static final long MILLIS_PER_BUCKET = TimeUnit.DAYS.toMillis(1);

  /**
   * A page scans at most this many index rows per entry it may return, plus {@link #SCAN_SLACK}.
   */
  static final int SCAN_FACTOR = 4;

  static final int SCAN_SLACK = 32;

  /** Index writes of one call in flight at once. */
  private static final int WINDOW = 128;

  private static final long MAX_VERSION = (1L << 23) - 1;

  private final CqlSession session;
  private final ConversationStore store;
  private final FanoutProperties fanout;
  private final Clock clock;
  private final PreparedStatement readConversation;
  private final PreparedStatement readEventTime;
  private final PreparedStatement setMode;
  private final PreparedStatement insertRow;
  private final PreparedStatement deleteRow;
  private final PreparedStatement insertBucket;
  private final PreparedStatement deleteBucket;
  private final PreparedStatement bucketsUpTo;
  private final PreparedStatement rowsOf;
  private final PreparedStatement rowsBefore;
  private final PreparedStatement insertLarge;
  private final PreparedStatement deleteLarge;
  private final PreparedStatement largeOf;
  private final PreparedStatement backfilled;
  private final PreparedStatement markBackfilled;

  ActivityIndex(
      CqlSession session,
      Keyspace ks,
      ConversationStore store,
      FanoutProperties fanout,
      Clock clock) {
    this.session = session;
    this.store = store;
    this.fanout = fanout;
    this.clock = clock;
    String conversations = ks.table("conversations");
    String rows = ks.table("user_activity");
    String buckets = ks.table("user_activity_buckets");
    String large = ks.table("user_large_groups");
    readConversation =
        session.prepare(
            "SELECT "
                + ConversationRows.COLUMNS
                + ", last_event_seq, last_event_at FROM "
                + conversations
                + " WHERE conversation_id = ?");
    readEventTime =
        session.prepare(
            "SELECT at FROM "
                + ks.table("conversation_log")
                + " WHERE conversation_id = ? AND bucket = ? AND seq = ?");
    setMode =
        session.prepare(
            "UPDATE "
                + conversations
                + " USING TIMESTAMP ? SET listed_as_large = ? WHERE conversation_id = ?");
    insertRow =
        session.prepare(
            "INSERT INTO "
                + rows
                + " (user_id, bucket, active_at, conversation_id) VALUES (?, ?, ?, ?)"
                + " USING TIMESTAMP ?");
    deleteRow =
        session.prepare(
            "DELETE FROM "
                + rows
                + " USING TIMESTAMP ? WHERE user_id = ? AND bucket = ? AND active_at = ?"
                + " AND conversation_id = ?");
    insertBucket = session.prepare("INSERT INTO " + buckets + " (user_id, bucket) VALUES (?, ?)");
    deleteBucket =
        session.prepare(
            "DELETE FROM " + buckets + " USING TIMESTAMP ? WHERE user_id = ? AND bucket = ?");
    bucketsUpTo =
        session.prepare(
            "SELECT bucket FROM " + buckets + " WHERE user_id = ? AND bucket <= ? LIMIT ?");
    String select = "SELECT active_at, conversation_id FROM " + rows;
    rowsOf = session.prepare(select + " WHERE user_id = ? AND bucket = ? LIMIT ?");
    rowsBefore =
        session.prepare(
            select
                + " WHERE user_id = ? AND bucket = ? AND (active_at, conversation_id) < (?, ?)"
                + " LIMIT ?");
    insertLarge =
        session.prepare(
            "INSERT INTO " + large + " (user_id, conversation_id) VALUES (?, ?) USING TIMESTAMP ?");
    deleteLarge =
        session.prepare(
            "DELETE FROM "
                + large
                + " USING TIMESTAMP ? WHERE user_id = ? AND conversation_id = ?");
    largeOf = session.prepare("SELECT conversation_id FROM " + large + " WHERE user_id = ?");
    backfilled =
        session.prepare(
            "SELECT done_at FROM " + ks.table("user_activity_backfill") + " WHERE user_id = ?");
    markBackfilled =
        session.prepare(
            "INSERT INTO "
                + ks.table("user_activity_backfill")
                + " (user_id, done_at) VALUES (?, ?)");
  }

  /** A place in the list: newest first, then by conversation id, descending. */
  public record Position(Instant at, ConversationId id) {

    static final Comparator<Position> NEWEST_FIRST =
        Comparator.comparing(Position::at).thenComparing(p -> p.id().value()).reversed();

    boolean isBefore(Position other) {
      return NEWEST_FIRST.compare(this, other) > 0;
    }
  }

  /** A listed conversation at its position. */
  public record Entry(Conversation conversation, Position position) {}

  /** One page: the entries, and where the next page starts when more may follow. */
  public record Page(List<Entry> entries, Optional<Position> next) {}

  /** A conversation row with what the index needs. */
  private record Head(Conversation conversation, long seq, Instant at, boolean large) {
    Position position() {
      return new Position(at, conversation.id());
    }
  }

  /**
   * The write timestamp of an index write: seq, then member change version, delete before insert.
   */
  static long ts(long seq, long version, boolean insert) {
    return (seq << 24) | (Math.min(version, MAX_VERSION) << 1) | (insert ? 1 : 0);
  }

  static int bucketOf(Instant at) {
    return (int) Math.floorDiv(at.toEpochMilli(), MILLIS_PER_BUCKET);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Moves the conversation in its members' lists to {@code event}'s position: one round of reads
   * (the list's mode; the previous event's time and, for a write-diffusion conversation, the member
   * list unless the write path passed them in {@code known}), then per member a delete and an
   * insert (and a bucket upsert when the day changed). A large group: nothing per member (its
   * position is on the conversation's row, written with the head hints). Idempotent; safe in any
   * order.
   */
  @Override
  public CompletionStage<Void> eventProjected(LoggedEvent event, Known known) {
    String cid = event.conversationId().value();
    long s = event.seq();
    CompletionStage<Row> mode =
        session.executeAsync(readConversation.bind(cid)).thenApply(AsyncResultSet::one);
    CompletionStage<Instant> previous =
        s == 1 || known.previousAt() != null
            ? CompletableFuture.completedFuture(known.previousAt())
            : eventTime(event.conversationId(), s - 1);
    return mode.thenCompose(
        row -> {
          if (row == null || row.getString("type") == null || isLarge(row)) {
            return CompletableFuture.completedFuture(null);
          }
          Instant before = s > 1 ? null : row.getInstant("created_at");
          CompletionStage<List<UserId>> members =
              known.members() != null
                  ? CompletableFuture.completedFuture(known.members())
                  : store.membersAsync(event.conversationId());
          return previous
              .thenCombine(
                  members,
                  (prevAt, all) -> move(cid, s, prevAt != null ? prevAt : before, event.at(), all))
              .thenCompose(w -> w);
        });
  }

  @Override
  public Optional<List<BatchableStatement<?>>> writesIfKnown(LoggedEvent event, Known known) {
    Conversation c = known.conversation();
    long s = event.seq();
    if (c == null || (s > 1 && known.previousAt() == null)) {
      return Optional.empty();
    }
    if (c.listedAsLarge()) {
      return Optional.of(List.of()); // its position is on the conversation's row
    }
    if (known.members() == null) {
      return Optional.empty();
    }
    Instant from = s > 1 ? known.previousAt() : c.createdAt();
    List<BatchableStatement<?>> writes = new ArrayList<>(3 * known.members().size());
    for (UserId member : known.members()) {
      writes.addAll(memberMove(member.value(), c.id().value(), s, from, event.at()));
    }
    return Optional.of(writes);
  }

  private CompletionStage<Void> move(
      String cid, long seq, Instant from, Instant to, List<UserId> members) {
    List<Supplier<CompletionStage<?>>> writes = new ArrayList<>(members.size());
    for (UserId member : members) {
      // One request per member: the move's statements in an unlogged batch (one partition, or
      // two when the day changed, plus the bucket upsert then).
      BatchStatement statement =
          BatchStatement.newInstance(
              BatchType.UNLOGGED, memberMove(member.value(), cid, seq, from, to));
      writes.add(() -> run(statement));
    }
    return Window.run(writes, WINDOW);
  }

  /**
   * One member's row moved from {@code from} (null: not listed yet) to {@code to}: a delete and an
   * insert, and the day's bucket upserted when the day changed.
   */
  private List<BatchableStatement<?>> memberMove(
      String user, String cid, long seq, Instant from, Instant to) {
    int toBucket = bucketOf(to);
    List<BatchableStatement<?>> statements = new ArrayList<>(3);
    if (from != null) {
      statements.add(deleteRow.bind(ts(seq, 0, false), user, bucketOf(from), from, cid));
    }
    statements.add(insertRow.bind(user, toBucket, to, cid, ts(seq, 0, true)));
    if (from == null || bucketOf(from) != toBucket) {
      statements.add(insertBucket.bind(user, toBucket));
    }
    return statements;
  }

  /** Lists a new conversation in its members' lists at its creation (member change version 0). */
  @Override
  public void created(Conversation conversation, Collection<UserId> members) {
    String cid = conversation.id().value();
    boolean large = fanout.isLarge(members.size());
    List<Supplier<CompletionStage<?>>> writes = new ArrayList<>();
    writes.add(() -> run(setMode.bind(1L, large, cid)));
    Position at = new Position(conversation.createdAt(), conversation.id());
    for (UserId member : members) {
      writes.add(large ? listLarge(member, cid, 0) : listAt(member, at, 0, 0));
    }
    Async.await(Window.run(writes, WINDOW));
  }

  /**
   * Follows a member change of {@code version} that left {@code countAfter} members (its member
   * rows written): adds and removes the changed members' rows, and when the group crosses the
   * large-group threshold (or is listed the other way, e.g. from before V005 or after the threshold
   * changed), lists all its members the other way. Safe to repeat: a change rolled forward writes
   * the same rows with the same timestamps, and redoes a crossing (judged from the counts).
   */
  @Override
  public void membersChanged(
      ConversationId id,
      Collection<UserId> added,
      Collection<UserId> removed,
      int countAfter,
      long version) {
    Head head = Async.await(head(id));
    if (head == null) {
      return;
    }
    String cid = id.value();
    int countBefore = countAfter - added.size() + removed.size();
    boolean isLarge = fanout.isLarge(countAfter);
    boolean crossing = head.large() != isLarge || fanout.isLarge(countBefore) != isLarge;
    List<Supplier<CompletionStage<?>>> writes = new ArrayList<>();
    Position at = head.position();
    long seq = head.seq();
    if (crossing) {
      writes.add(() -> run(setMode.bind(version + 1, isLarge, cid)));
      // Every member is listed the other way now: at most about the threshold's worth of members
      // (the small side of it), once per crossing.
      for (UserId member : store.members(id)) {
        writes.add(isLarge ? listLarge(member, cid, version) : listAt(member, at, seq, version));
        writes.add(
            isLarge ? unlistAt(member, at, seq, version) : unlistLarge(member, cid, version));
      }
    } else {
      for (UserId member : added) {
        writes.add(isLarge ? listLarge(member, cid, version) : listAt(member, at, seq, version));
      }
    }
    for (UserId member : removed) {
      writes.add(unlistAt(member, at, seq, version));
      writes.add(unlistLarge(member, cid, version));
    }
    Async.await(Window.run(writes, WINDOW));
  }

  private Supplier<CompletionStage<?>> listAt(UserId member, Position at, long seq, long version) {
    int bucket = bucketOf(at.at());
    BatchStatement batch =
        BatchStatement.newInstance(
            BatchType.UNLOGGED,
            insertRow.bind(
                member.value(), bucket, at.at(), at.id().value(), ts(seq, version, true)),
            insertBucket.bind(member.value(), bucket));
    return () -> run(batch);
  }

  private Supplier<CompletionStage<?>> unlistAt(
      UserId member, Position at, long seq, long version) {
    return () ->
        run(
            deleteRow.bind(
                ts(seq, version, false),
                member.value(),
                bucketOf(at.at()),
                at.at(),
                at.id().value()));
  }

  private Supplier<CompletionStage<?>> listLarge(UserId member, String cid, long version) {
    return () -> run(insertLarge.bind(member.value(), cid, version + 1));
  }

  private Supplier<CompletionStage<?>> unlistLarge(UserId member, String cid, long version) {
    return () -> run(deleteLarge.bind(version + 1, member.value(), cid));
  }

  // ---------------------------------------------------------------- reads

  /**
   * Up to {@code limit} of {@code user}'s conversations after {@code after} (null: from the
   * newest), newest first. Reads at most {@code SCAN_FACTOR · (limit + 1) + SCAN_SLACK} index rows
   * (fewer entries than {@code limit} with a next position when rows had to be skipped), the
   * conversation row and membership of each, and the user's large groups.
   */
  public Page page(UserId user, Position after, int limit) {
    ensureBackfilled(user);
    long scanStartMicros = TimeUnit.MILLISECONDS.toMicros(clock.millis());
    CompletionStage<List<Entry>> large = largeGroups(user, after);
    int maxScanned = SCAN_FACTOR * (limit + 1) + SCAN_SLACK;
    int startBucket = after == null ? Integer.MAX_VALUE : bucketOf(after.at());
    int yesterday = bucketOf(clock.instant()) - 1;
    List<Entry> small = new ArrayList<>();
    Position frontier = after;
    int scanned = 0;
    boolean exhausted = false;
    int nextBucketBound = startBucket;
    scan:
    while (true) {
      List<Integer> buckets = new ArrayList<>();
      for (Row row : session.execute(bucketsUpTo.bind(user.value(), nextBucketBound, 16))) {
        buckets.add(row.getInt("bucket"));
      }
      if (buckets.isEmpty()) {
        exhausted = true;
        break;
      }
      for (int bucket : buckets) {
        nextBucketBound = bucket - 1;
        boolean fromTop = frontier == null || bucketOf(frontier.at()) != bucket;
        boolean any = false;
        while (true) {
          int want = Math.min(limit + 1 - small.size() + 4, maxScanned - scanned);
          List<Position> rows = new ArrayList<>();
          BoundStatement query =
              fromTop && !any
                  ? rowsOf.bind(user.value(), bucket, want)
                  : rowsBefore.bind(
                      user.value(), bucket, frontier.at(), frontier.id().value(), want);
          for (Row row : session.execute(query)) {
            rows.add(
                new Position(
                    row.getInstant("active_at"),
                    ConversationId.of(row.getString("conversation_id"))));
          }
          any |= !rows.isEmpty();
          scanned += rows.size();
          small.addAll(validate(user, rows));
          if (!rows.isEmpty()) {
            frontier = rows.get(rows.size() - 1);
          }
          if (small.size() > limit || scanned >= maxScanned) {
            break scan;
          }
          if (rows.size() < want) {
            break; // the bucket is done
          }
        }
        if (!any && fromTop && bucket < yesterday) {
          // Nothing left in this day (its conversations moved on): stop reading it. A row written
          // to it after the scan started carries a later bucket upsert, which wins.
          run(deleteBucket.bind(scanStartMicros, user.value(), bucket));
        }
      }
    }
    List<Entry> merged = new ArrayList<>(small);
    Set<ConversationId> seen = new HashSet<>();
    for (Entry e : Async.await(large)) {
      if (exhausted || frontier == null || !e.position().isBefore(frontier)) {
        merged.add(e);
      }
    }
    merged.sort(Comparator.comparing(Entry::position, Position.NEWEST_FIRST));
    List<Entry> entries = new ArrayList<>();
    for (Entry e : merged) {
      if (seen.add(e.conversation().id())) {
        entries.add(e);
      }
    }
    if (entries.size() > limit) {
      List<Entry> page = entries.subList(0, limit);
      return new Page(List.copyOf(page), Optional.of(page.get(limit - 1).position()));
    }
    if (!exhausted) {
      // Rows were skipped: the next page continues after the last row scanned.
      return new Page(List.copyOf(entries), Optional.of(frontier));
    }
    return new Page(List.copyOf(entries), Optional.empty());
  }

  /**
   * The entries of {@code rows} that are what they claim: the user is a member, the conversation is
   * listed per member, and the row is at its position (or newer: an event being projected). A row
   * behind the position is moved there (it missed an event's move); a row of a large group is
   * deleted; either is skipped.
   */
  private List<Entry> validate(UserId user, List<Position> rows) {
    List<CompletableFuture<Entry>> checks = new ArrayList<>(rows.size());
    for (Position row : rows) {
      CompletionStage<Head> head = head(row.id());
      CompletionStage<Boolean> member = store.isMemberAsync(row.id(), user);
      checks.add(
          head.thenCombine(
                  member,
                  (h, isMember) -> {
                    if (h == null || !isMember) {
                      return null;
                    }
                    Position at = h.position();
                    if (h.large()) {
                      unlistStale(user, row, h);
                      return null;
                    }
                    if (at.isBefore(row) || at.equals(row)) {
                      return new Entry(h.conversation(), row);
                    }
                    unlistStale(user, row, h);
                    listAt(user, at, h.seq(), 0).get();
                    return null;
                  })
              .toCompletableFuture());
    }
    List<Entry> out = new ArrayList<>();
    for (CompletableFuture<Entry> check : checks) {
      Entry e = Async.await(check);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  private void unlistStale(UserId user, Position row, Head head) {
    // ts(head, 0, delete) is above every insert of an older position and below any insert at the
    // head's position by a later member change (version ≥ 1) or the next event.
    run(
        deleteRow.bind(
            ts(head.seq(), 0, false),
            user.value(),
            bucketOf(row.at()),
            row.at(),
            row.id().value()));
  }

  /** The user's large groups at their positions, after {@code after}, checked as rows are. */
  private CompletionStage<List<Entry>> largeGroups(UserId user, Position after) {
    return session
        .executeAsync(largeOf.bind(user.value()))
        .thenCompose(rs -> collect(rs, new ArrayList<>()))
        .thenCompose(
            ids -> {
              List<CompletableFuture<Entry>> checks = new ArrayList<>();
              for (ConversationId id : ids) {
                checks.add(
                    head(id)
                        .thenCombine(
                            store.isMemberAsync(id, user),
                            (h, member) ->
                                h != null
                                        && member
                                        && h.large()
                                        && (after == null || h.position().isBefore(after))
                                    ? new Entry(h.conversation(), h.position())
                                    : null)
                        .toCompletableFuture());
              }
              return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new))
                  .thenApply(
                      v ->
                          checks.stream()
                              .map(CompletableFuture::join)
                              .filter(e -> e != null)
                              .toList());
            });
  }

  private static CompletionStage<List<ConversationId>> collect(
      AsyncResultSet rs, List<ConversationId> out) {
    for (Row row : rs.currentPage()) {
      out.add(ConversationId.of(row.getString("conversation_id")));
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(next -> collect(next, out))
        : CompletableFuture.completedFuture(out);
  }

  /**
   * Indexes the user's conversations from before V005 once (O(their conversations), at the first
   * list read), then marks the user. Conversations written since are indexed by their writes.
   */
  private void ensureBackfilled(UserId user) {
    if (session.execute(backfilled.bind(user.value())).one() != null) {
      return;
    }
    List<Supplier<CompletionStage<?>>> tasks = new ArrayList<>();
    for (ConversationId id : store.conversationsOf(user)) {
      tasks.add(
          () ->
              head(id)
                  .thenCompose(
                      h ->
                          h == null || h.large()
                              ? CompletableFuture.completedFuture(null)
                              : listAt(user, h.position(), h.seq(), 0).get()));
    }
    Async.await(Window.run(tasks, WINDOW));
    session.execute(markBackfilled.bind(user.value(), clock.instant()));
  }

  /** The conversation's row with its position; null when there is no such conversation. */
  private CompletionStage<Head> head(ConversationId id) {
    return session
        .executeAsync(readConversation.bind(id.value()))
        .thenCompose(
            rs -> {
              Row row = rs.one();
              Conversation c = ConversationRows.of(id, row);
              if (c == null) {
                return CompletableFuture.completedFuture(null);
              }
              boolean large = isLarge(row);
              if (!row.isNull("last_event_at")) {
                return CompletableFuture.completedFuture(
                    new Head(
                        c, row.getLong("last_event_seq"), row.getInstant("last_event_at"), large));
              }
              // Not written to since V005: the newest event known to the row's head hint.
              long seq = c.lastSeq();
              if (seq == 0) {
                return CompletableFuture.completedFuture(new Head(c, 0, c.createdAt(), large));
              }
              return eventTime(id, seq)
                  .thenApply(at -> new Head(c, seq, at != null ? at : c.createdAt(), large));
            });
  }

  private static boolean isLarge(Row row) {
    return !row.isNull("listed_as_large") && row.getBoolean("listed_as_large");
  }

  private CompletionStage<Instant> eventTime(ConversationId id, long seq) {
    return session
        .executeAsync(readEventTime.bind(id.value(), EventLog.bucketOf(seq), seq))
        .thenApply(
            rs -> {
              Row row = rs.one();
              return row == null ? null : row.getInstant("at");
            });
  }

  private CompletionStage<AsyncResultSet> run(Statement<?> statement) {
    return session.executeAsync(statement.setIdempotent(true));
  }
}
