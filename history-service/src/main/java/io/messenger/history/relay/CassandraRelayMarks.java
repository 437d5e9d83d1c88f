package io.messenger.history.relay;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.history.cassandra.Memo;
import io.messenger.history.write.DeliveryMarks;
import io.messenger.model.ConversationId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Repository;

/**
 * The relay's tables: {@code relay_marks} (which conversations to look at) and {@code
 * relay_checkpoints} (how far each was delivered). See V002__relay.cql.
 */
@Repository
class CassandraRelayMarks implements DeliveryMarks {

  /** Shards of {@code relay_marks}: fixed, since a mark's shard follows from its conversation. */
  static final int SHARDS = io.messenger.model.internal.HistoryApi.RELAY_SHARDS;

  /** How long a mark this instance wrote stands for its later writes to the conversation. */
  static final Duration REUSE = Duration.ofSeconds(1);

  /** A mark: its conversation, its time (microseconds) and the newest mark fully relayed. */
  record Mark(ConversationId id, long micros, long relayedMark) {
    boolean covered() {
      return relayedMark == micros;
    }
  }

  private final CqlSession session;
  private final Clock clock;
  private final AtomicLong lastMicros = new AtomicLong();

  /** Checkpoints this instance read or wrote: lower bounds of the real ones. */
  private final Memo<String, Long> knownCheckpoints = new Memo<>(Math::max);

  /** The newest mark this instance wrote per conversation (microseconds), for {@link #REUSE}. */
  private final Memo<String, Long> recentMarks = new Memo<>(Math::max);

  private final PreparedStatement mark;
  private final PreparedStatement list;
  private final PreparedStatement covered;
  private final PreparedStatement delete;
  private final PreparedStatement readCheckpoints;
  private final PreparedStatement writeCheckpoint;
  private final PreparedStatement readCheckpoint;

  CassandraRelayMarks(CqlSession session, Keyspace ks, Clock clock) {
    this.session = session;
    this.clock = clock;
    String marks = ks.table("relay_marks");
    String checkpoints = ks.table("relay_checkpoints");
    mark =
        session.prepare(
            "INSERT INTO "
                + marks
                + " (shard, conversation_id, marked_at) VALUES (?, ?, ?) USING TIMESTAMP ?");
    list =
        session.prepare(
            "SELECT conversation_id, writetime(marked_at) AS w, relayed_mark FROM "
                + marks
                + " WHERE shard = ? AND conversation_id > ? LIMIT ?");
    covered =
        session.prepare(
            "UPDATE "
                + marks
                + " USING TIMESTAMP ? SET relayed_mark = ? WHERE shard = ? AND conversation_id = ?");
    delete =
        session.prepare(
            "DELETE FROM " + marks + " USING TIMESTAMP ? WHERE shard = ? AND conversation_id = ?");
    readCheckpoints =
        session.prepare(
            "SELECT conversation_id, relayed_seq FROM "
                + checkpoints
                + " WHERE conversation_id IN ?");
    readCheckpoint =
        session.prepare("SELECT relayed_seq FROM " + checkpoints + " WHERE conversation_id = ?");
    writeCheckpoint =
        session.prepare(
            "UPDATE "
                + checkpoints
                + " USING TIMESTAMP ? SET relayed_seq = ? WHERE conversation_id = ?");
  }

  static int shardOf(ConversationId id) {
    return Math.floorMod(id.value().hashCode(), SHARDS);
  }

  /**
   * Marks the conversation, unless this instance marked it less than {@link #REUSE} ago: that mark
   * stands for this write too (a mark is covered only once it is older than {@link
   * RelayService#COMMIT_BOUND} plus {@link #REUSE}, so every write that relied on it has logged or
   * given up by then). A busy conversation costs one mark write a second instead of one per write.
   */
  @Override
  public CompletionStage<Void> markAsync(ConversationId id) {
    Instant now = clock.instant();
    long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    Long recent = recentMarks.get(id.value());
    if (recent != null && micros - recent < REUSE.toNanos() / 1000 && micros >= recent) {
      return CompletableFuture.completedFuture(null);
    }
    // Strictly increasing on this instance, so two marks of one conversation never tie.
    long stamp = lastMicros.accumulateAndGet(micros, (last, next) -> Math.max(last + 1, next));
    return session
        .executeAsync(
            mark.bind(shardOf(id), id.value(), Instant.ofEpochMilli(stamp / 1000), stamp)
                .setIdempotent(true))
        .thenApply(
            rs -> {
              recentMarks.remember(id.value(), stamp);
              return null;
            });
  }

  /** Up to {@code limit} marks of {@code shard} after the conversation id {@code after}. */
  List<Mark> list(int shard, String after, int limit) {
    List<Mark> out = new ArrayList<>();
    for (Row row : session.execute(list.bind(shard, after, limit))) {
      if (row.isNull("w")) {
        continue; // only relayed_mark left: no live mark
      }
      out.add(
          new Mark(
              ConversationId.of(row.getString("conversation_id")),
              row.getLong("w"),
              row.isNull("relayed_mark") ? 0 : row.getLong("relayed_mark")));
    }
    return out;
  }

  Map<String, Long> checkpoints(List<String> ids) {
    Map<String, Long> out = new java.util.HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    for (Row row :
        session.execute(
            readCheckpoints.bind(ids).setConsistencyLevel(ConsistencyLevel.LOCAL_QUORUM))) {
      out.put(row.getString("conversation_id"), row.getLong("relayed_seq"));
      knownCheckpoints.remember(row.getString("conversation_id"), row.getLong("relayed_seq"));
    }
    return out;
  }

  /** The checkpoint of one conversation (0 when it has none). */
  CompletionStage<Long> checkpointAsync(ConversationId id) {
    return session
        .executeAsync(
            readCheckpoint
                .bind(id.value())
                .setConsistencyLevel(ConsistencyLevel.LOCAL_QUORUM)
                .setIdempotent(true))
        .thenApply(
            rs -> {
              Row row = rs.one();
              long seq = row == null || row.isNull("relayed_seq") ? 0L : row.getLong("relayed_seq");
              knownCheckpoints.remember(id.value(), seq);
              return seq;
            });
  }

  /**
   * A checkpoint this instance read or wrote for the conversation, or null: never above the real
   * one (a checkpoint only moves forward: its writes are timestamped with the seq), so every event
   * up to it was delivered. Lets a confirmation move the checkpoint without reading it first.
   */
  Long knownCheckpoint(ConversationId id) {
    return knownCheckpoints.get(id.value());
  }

  CompletionStage<?> checkpoint(ConversationId id, long seq) {
    return session
        .executeAsync(writeCheckpoint.bind(seq, seq, id.value()).setIdempotent(true))
        .thenApply(
            rs -> {
              knownCheckpoints.remember(id.value(), seq);
              return rs;
            });
  }

  /** Notes that every event of writes marked at or before {@code micros} was relayed. */
  CompletionStage<?> covered(ConversationId id, long micros) {
    return session.executeAsync(
        covered.bind(micros, micros, shardOf(id), id.value()).setIdempotent(true));
  }

  /** Deletes the mark unless a newer one was written since {@code micros}. */
  CompletionStage<?> clear(ConversationId id, long micros) {
    return session.executeAsync(delete.bind(micros, shardOf(id), id.value()).setIdempotent(true));
  }
}
