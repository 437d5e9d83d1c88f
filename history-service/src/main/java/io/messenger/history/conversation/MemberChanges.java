package io.messenger.history.conversation;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.springframework.stereotype.Repository;

/**
 * The two lightweight transactions of membership: the newest change of each conversation ({@code
 * member_changes}, one version counter per conversation) and the claims of group creations with a
 * client request id ({@code create_requests}), see V003__idempotent_membership.cql; and who each
 * logged change added and removed ({@code member_change_names}, V007).
 */
@Repository
class MemberChanges {

  /**
   * The newest change: its version, who made it and what it did, and whether it is all written
   * (member rows, count, names, its event in the log). {@code actor} is null for a change recorded
   * before V007, which is then not logged.
   */
  record Change(
      long version,
      String changeId,
      UserId actor,
      List<UserId> added,
      List<UserId> removed,
      Instant at,
      boolean applied,
      int memberCount,
      boolean large) {
    static final Change NONE =
        new Change(0, null, null, List.of(), List.of(), null, true, -1, false);
  }

  /** Who a logged change added and removed. */
  record Names(List<UserId> added, List<UserId> removed) {}

  /** A group creation already claimed under a client request id. */
  record Creation(ConversationId conversationId, String fingerprint, Instant createdAt) {}

  private final CqlSession session;
  private final PreparedStatement current;
  private final PreparedStatement proposeFirst;
  private final PreparedStatement propose;
  private final PreparedStatement applied;
  private final PreparedStatement claimCreation;
  private final PreparedStatement writeNames;
  private final PreparedStatement readNames;

  MemberChanges(CqlSession session, Keyspace ks) {
    this.session = session;
    String changes = ks.table("member_changes");
    current =
        session.prepare(
            "SELECT version, change_id, actor_id, added, removed, at, applied, member_count, large"
                + " FROM "
                + changes
                + " WHERE conversation_id = ?");
    String set =
        " SET version = ?, change_id = ?, actor_id = ?, added = ?, removed = ?, at = ?,"
            + " applied = false, member_count = ?, large = ?"
            + " WHERE conversation_id = ?";
    proposeFirst = session.prepare("UPDATE " + changes + set + " IF version = null");
    propose = session.prepare("UPDATE " + changes + set + " IF version = ?");
    applied =
        session.prepare(
            "UPDATE " + changes + " SET applied = true WHERE conversation_id = ? IF version = ?");
    claimCreation =
        session.prepare(
            "INSERT INTO "
                + ks.table("create_requests")
                + " (created_by, client_request_id, conversation_id, fingerprint, created_at)"
                + " VALUES (?, ?, ?, ?, ?) IF NOT EXISTS");
    String names = ks.table("member_change_names");
    writeNames =
        session.prepare(
            "UPDATE "
                + names
                + " SET added = ?, removed = ? WHERE conversation_id = ? AND change_id = ?");
    readNames =
        session.prepare(
            "SELECT added, removed FROM " + names + " WHERE conversation_id = ? AND change_id = ?");
  }

  /** The newest change, read serially (so a change another writer left half done is finished). */
  Change current(ConversationId id) {
    Row row =
        session
            .execute(current.bind(id.value()).setConsistencyLevel(ConsistencyLevel.LOCAL_SERIAL))
            .one();
    if (row == null || row.isNull("version")) {
      return Change.NONE;
    }
    return new Change(
        row.getLong("version"),
        row.getString("change_id"),
        row.isNull("actor_id") ? null : UserId.of(row.getString("actor_id")),
        users(row.getSet("added", String.class)),
        users(row.getSet("removed", String.class)),
        row.getInstant("at"),
        !row.isNull("applied") && row.getBoolean("applied"),
        row.isNull("member_count") ? -1 : row.getInt("member_count"),
        !row.isNull("large") && row.getBoolean("large"));
  }

  /**
   * Records {@code next} as the change after {@code previous}; false if another came first. Not
   * idempotent: sent again after it was applied, it would answer false for its own change.
   */
  boolean propose(ConversationId id, Change previous, Change next) {
    // The values of both statements, in their order; the conditioned one adds the version last.
    List<Object> values =
        new ArrayList<>(
            Arrays.asList(
                next.version(),
                next.changeId(),
                actor(next), // null for a change without an actor
                names(next.added()),
                names(next.removed()),
                next.at(),
                next.memberCount(),
                next.large(),
                id.value()));
    BoundStatement statement;
    if (previous.version() == 0) {
      statement = proposeFirst.bind(values.toArray());
    } else {
      values.add(previous.version());
      statement = propose.bind(values.toArray());
    }
    ResultSet result = session.execute(statement.setIdempotent(false));
    return result.wasApplied();
  }

  /** Notes that every member row of the change at {@code version} is written. */
  void applied(ConversationId id, long version) {
    session.execute(applied.bind(id.value(), version));
  }

  /** Records who the change {@code change} added and removed (idempotent). */
  void recordNames(ConversationId id, Change change) {
    session.execute(
        writeNames
            .bind(names(change.added()), names(change.removed()), id.value(), change.changeId())
            .setIdempotent(true));
  }

  /** Who the logged change {@code changeId} added and removed (empty lists if unknown). */
  CompletionStage<Names> namesAsync(ConversationId id, String changeId) {
    return session
        .executeAsync(readNames.bind(id.value(), changeId))
        .thenApply(
            rs -> {
              Row row = rs.one();
              return row == null
                  ? new Names(List.of(), List.of())
                  : new Names(
                      users(row.getSet("added", String.class)),
                      users(row.getSet("removed", String.class)));
            });
  }

  /**
   * Claims a creation; empty when claimed now, else the creation that holds the id. Not sent again
   * by the driver: a repeat after it was applied would take this creation for an earlier one.
   */
  Optional<Creation> claimCreation(
      UserId createdBy,
      String clientRequestId,
      ConversationId candidate,
      String fingerprint,
      Instant at) {
    ResultSet result =
        session.execute(
            claimCreation
                .bind(createdBy.value(), clientRequestId, candidate.value(), fingerprint, at)
                .setIdempotent(false));
    if (result.wasApplied()) {
      return Optional.empty();
    }
    Row row = result.one();
    return Optional.of(
        new Creation(
            ConversationId.of(row.getString("conversation_id")),
            row.getString("fingerprint"),
            row.getInstant("created_at")));
  }

  private static String actor(Change change) {
    return change.actor() == null ? null : change.actor().value();
  }

  private static List<UserId> users(Collection<String> names) {
    return names == null ? List.of() : names.stream().sorted().map(UserId::of).toList();
  }

  private static Set<String> names(Collection<UserId> users) {
    return users.stream().map(UserId::value).collect(Collectors.toSet());
  }
}
