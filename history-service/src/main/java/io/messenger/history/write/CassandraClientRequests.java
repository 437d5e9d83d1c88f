package io.messenger.history.write;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
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
  private final PreparedStatement complete;

  CassandraClientRequests(CqlSession session, Keyspace ks) {
    this.session = session;
    String table = ks.table("client_requests");
    String key = " WHERE conversation_id = ? AND actor_id = ? AND client_id = ?";
    find = session.prepare("SELECT kind, fingerprint, reserved_at, seq FROM " + table + key);
    complete =
        session.prepare(
            "UPDATE " + table + " SET kind = ?, fingerprint = ?, reserved_at = ?, seq = ?" + key);
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
  public BatchableStatement<?> complete(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      Instant at,
      long seq) {
    return complete.bind(kind, fingerprint, at, seq, id.value(), actor.value(), clientId);
  }

  private static Request toRequest(Row row) {
    return new Request(
        row.getString("kind"),
        row.getString("fingerprint"),
        row.getInstant("reserved_at"),
        row.isNull("seq") ? 0 : row.getLong("seq"));
  }
}
