package io.messenger.history.event;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Async;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.springframework.stereotype.Repository;

/** {@link ClientRequests} on Cassandra. */
@Repository
class CassandraClientRequests implements ClientRequests {

  private final CqlSession session;
  private final PreparedStatement find;
  private final PreparedStatement reserve;
  private final PreparedStatement takeOver;
  private final PreparedStatement complete;

  CassandraClientRequests(CqlSession session, Keyspace ks) {
    this.session = session;
    String table = ks.table("client_requests");
    String key = " WHERE conversation_id = ? AND actor_id = ? AND client_id = ?";
    find = session.prepare("SELECT kind, fingerprint, reserved_at, seq FROM " + table + key);
    reserve =
        session.prepare(
            "INSERT INTO "
                + table
                + " (conversation_id, actor_id, client_id, kind, fingerprint, reserved_at)"
                + " VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS");
    takeOver =
        session.prepare(
            "UPDATE "
                + table
                + " SET reserved_at = ?"
                + key
                + " IF reserved_at = ? AND seq = null");
    complete = session.prepare("UPDATE " + table + " SET seq = ?" + key);
  }

  @Override
  public Optional<Request> find(ConversationId id, UserId actor, String clientId) {
    return Async.await(findAsync(id, actor, clientId));
  }

  @Override
  public CompletionStage<Optional<Request>> findAsync(
      ConversationId id, UserId actor, String clientId) {
    return session
        .executeAsync(find.bind(id.value(), actor.value(), clientId))
        .thenApply(rs -> Optional.ofNullable(rs.one()).map(CassandraClientRequests::toRequest));
  }

  @Override
  public Optional<Request> reserve(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      Instant now) {
    ResultSet result =
        session.execute(reserve.bind(id.value(), actor.value(), clientId, kind, fingerprint, now));
    return result.wasApplied() ? Optional.empty() : Optional.of(toRequest(result.one()));
  }

  @Override
  public boolean takeOver(
      ConversationId id, UserId actor, String clientId, Instant staleReservedAt, Instant now) {
    return session
        .execute(takeOver.bind(now, id.value(), actor.value(), clientId, staleReservedAt))
        .wasApplied();
  }

  @Override
  public void complete(ConversationId id, UserId actor, String clientId, long seq) {
    Async.await(completeAsync(id, actor, clientId, seq));
  }

  @Override
  public CompletionStage<Void> completeAsync(
      ConversationId id, UserId actor, String clientId, long seq) {
    return session
        .executeAsync(complete.bind(seq, id.value(), actor.value(), clientId).setIdempotent(true))
        .thenApply(rs -> null);
  }

  private static Request toRequest(Row row) {
    return new Request(
        row.getString("kind"),
        row.getString("fingerprint"),
        row.getInstant("reserved_at"),
        row.isNull("seq") ? 0 : row.getLong("seq"));
  }
}
