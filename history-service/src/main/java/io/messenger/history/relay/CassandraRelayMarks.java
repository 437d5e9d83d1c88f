package io.messenger.history.relay;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.history.write.DeliveryMarks;
import io.messenger.model.ConversationId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** A mark: its conversation, its time (microseconds) and the newest mark fully relayed. */
  record Mark(ConversationId id, long micros, long relayedMark) {
    boolean covered() {
      return relayedMark == micros;
    }
  }

  private final CqlSession session;
  private final Clock clock;
  private final AtomicLong lastMicros = new AtomicLong();
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

  @Override
  public CompletionStage<Void> markAsync(ConversationId id) {
    Instant now = clock.instant();
    long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    // Strictly increasing on this instance, so two marks of one conversation never tie.
    long stamp = lastMicros.accumulateAndGet(micros, (last, next) -> Math.max(last + 1, next));
    return session
        .executeAsync(
            mark.bind(shardOf(id), id.value(), Instant.ofEpochMilli(stamp / 1000), stamp)
                .setIdempotent(true))
        .thenApply(rs -> null);
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
              return row == null || row.isNull("relayed_seq") ? 0L : row.getLong("relayed_seq");
            });
  }

  CompletionStage<?> checkpoint(ConversationId id, long seq) {
    return session.executeAsync(writeCheckpoint.bind(seq, seq, id.value()).setIdempotent(true));
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
