package io.messenger.history.conversation;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Async;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.springframework.stereotype.Repository;

/** {@link ConversationStore} on Cassandra. */
@Repository
class CassandraConversationStore implements ConversationStore {

  private final CqlSession session;
  private final PreparedStatement find;
  private final PreparedStatement members;
  private final PreparedStatement member;
  private final PreparedStatement membersAfter;
  private final PreparedStatement countMembers;
  private final PreparedStatement recordMemberCount;
  private final PreparedStatement claimPair;
  private final PreparedStatement insertConversation;
  private final PreparedStatement insertMember;
  private final PreparedStatement insertUserConversation;
  private final PreparedStatement deleteMember;
  private final PreparedStatement deleteUserConversation;
  private final PreparedStatement conversationsOf;
  private final PreparedStatement recordHead;
  private final PreparedStatement recordMessageHead;

  /** Member rows per batch (one partition; well under Cassandra's batch size warning). */
  static final int MEMBER_BATCH = 64;

  /** The most member writes in flight at once. */
  static final int IN_FLIGHT = 512;

  CassandraConversationStore(CqlSession session, Keyspace ks) {
    this.session = session;
    String conversations = ks.table("conversations");
    String memberTable = ks.table("conversation_members");
    String userTable = ks.table("user_conversations");
    find =
        session.prepare(
            "SELECT "
                + ConversationRows.COLUMNS
                + " FROM "
                + conversations
                + " WHERE conversation_id = ?");
    members = session.prepare("SELECT user_id FROM " + memberTable + " WHERE conversation_id = ?");
    membersAfter =
        session.prepare(
            "SELECT user_id FROM "
                + memberTable
                + " WHERE conversation_id = ? AND user_id > ? LIMIT ?");
    countMembers =
        session.prepare("SELECT COUNT(*) AS n FROM " + memberTable + " WHERE conversation_id = ?");
    recordMemberCount =
        session.prepare(
            "UPDATE "
                + conversations
                + " USING TIMESTAMP ? SET member_count = ?, large = ? WHERE conversation_id = ?");
    member =
        session.prepare(
            "SELECT user_id FROM " + memberTable + " WHERE conversation_id = ? AND user_id = ?");
    claimPair =
        session.prepare(
            "INSERT INTO "
                + ks.table("direct_pairs")
                + " (pair, conversation_id) VALUES (?, ?) IF NOT EXISTS");
    insertConversation =
        session.prepare(
            "INSERT INTO "
                + conversations
                + " (conversation_id, type, title, created_by, created_at) VALUES (?, ?, ?, ?, ?)");
    insertMember =
        session.prepare(
            "INSERT INTO "
                + memberTable
                + " (conversation_id, user_id, joined_at) VALUES (?, ?, ?)");
    insertUserConversation =
        session.prepare(
            "INSERT INTO " + userTable + " (user_id, conversation_id, joined_at) VALUES (?, ?, ?)");
    deleteMember =
        session.prepare(
            "DELETE FROM " + memberTable + " WHERE conversation_id = ? AND user_id = ?");
    deleteUserConversation =
        session.prepare("DELETE FROM " + userTable + " WHERE user_id = ? AND conversation_id = ?");
    conversationsOf =
        session.prepare("SELECT conversation_id FROM " + userTable + " WHERE user_id = ?");
    // One statement per event for every head hint and the list position (the conversation list's
    // activity index reads last_event_seq / last_event_at): all at write timestamp seq, so the
    // larger seq wins column by column, in any order.
    recordHead =
        session.prepare(
            "UPDATE "
                + conversations
                + " USING TIMESTAMP ? SET last_seq = ?, msg_count = ?, last_event_seq = ?,"
                + " last_event_at = ? WHERE conversation_id = ?");
    recordMessageHead =
        session.prepare(
            "UPDATE "
                + conversations
                + " USING TIMESTAMP ? SET last_seq = ?, msg_count = ?, last_event_seq = ?,"
                + " last_event_at = ?, last_message_seq = ? WHERE conversation_id = ?");
  }

  @Override
  public Optional<Conversation> find(ConversationId id) {
    return Async.await(findAsync(id));
  }

  @Override
  public CompletionStage<Optional<Conversation>> findAsync(ConversationId id) {
    return session
        .executeAsync(find.bind(id.value()))
        .thenApply(rs -> toConversation(id, rs.one()));
  }

  private static Optional<Conversation> toConversation(ConversationId id, Row row) {
    return Optional.ofNullable(ConversationRows.of(id, row));
  }

  @Override
  public List<UserId> members(ConversationId id) {
    return Async.await(membersAsync(id));
  }

  @Override
  public CompletionStage<List<UserId>> membersAsync(ConversationId id) {
    return session
        .executeAsync(members.bind(id.value()))
        .thenCompose(rs -> collectMembers(rs, new ArrayList<>()));
  }

  private static CompletionStage<List<UserId>> collectMembers(AsyncResultSet rs, List<UserId> out) {
    for (Row row : rs.currentPage()) {
      out.add(UserId.of(row.getString("user_id")));
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(next -> collectMembers(next, out))
        : CompletableFuture.completedFuture(out);
  }

  @Override
  public CompletionStage<List<UserId>> membersAsync(ConversationId id, int limit) {
    return session
        .executeAsync(membersAfter.bind(id.value(), "", limit))
        .thenApply(
            rs -> {
              List<UserId> out = new ArrayList<>();
              for (Row row : rs.currentPage()) {
                out.add(UserId.of(row.getString("user_id")));
              }
              return out;
            });
  }

  @Override
  public List<UserId> members(ConversationId id, String after, int limit) {
    List<UserId> out = new ArrayList<>(limit);
    for (Row row : session.execute(membersAfter.bind(id.value(), after, limit))) {
      out.add(UserId.of(row.getString("user_id")));
    }
    return out;
  }

  @Override
  public int memberCount(Conversation conversation) {
    if (conversation.memberCount() != Conversation.UNKNOWN_COUNT) {
      return conversation.memberCount();
    }
    Row row = session.execute(countMembers.bind(conversation.id().value())).one();
    return row == null ? 0 : (int) row.getLong("n");
  }

  @Override
  public void recordMemberCount(ConversationId id, int count, boolean large, long version) {
    session.execute(
        recordMemberCount.bind(version + 1, count, large, id.value()).setIdempotent(true));
  }

  @Override
  public boolean isMember(ConversationId id, UserId user) {
    return Async.await(isMemberAsync(id, user));
  }

  @Override
  public CompletionStage<Boolean> isMemberAsync(ConversationId id, UserId user) {
    return session
        .executeAsync(member.bind(id.value(), user.value()))
        .thenApply(rs -> rs.one() != null);
  }

  @Override
  public ConversationId claimDirectPair(UserId a, UserId b, ConversationId candidate) {
    String pair = a.compareTo(b) <= 0 ? a + "|" + b : b + "|" + a;
    ResultSet result = session.execute(claimPair.bind(pair, candidate.value()));
    if (result.wasApplied()) {
      return candidate;
    }
    return ConversationId.of(result.one().getString("conversation_id"));
  }

  @Override
  public void create(Conversation c, Collection<UserId> users) {
    session.execute(
        insertConversation.bind(
            c.id().value(), c.type().wireName(), c.title(), c.createdBy().value(), c.createdAt()));
    addMembers(c.id(), users, c.createdAt());
    recordMemberCount(c.id(), users.size(), c.large(), 0);
  }

  @Override
  public void addMembers(ConversationId id, Collection<UserId> users, Instant at) {
    // Member rows share one partition: batches of MEMBER_BATCH (a batch of a whole large group
    // would pass Cassandra's batch size limits). The per-user rows are separate partitions.
    List<UserId> all = List.copyOf(users);
    List<List<UserId>> chunks = new ArrayList<>();
    for (int from = 0; from < all.size(); from += MEMBER_BATCH) {
      chunks.add(all.subList(from, Math.min(all.size(), from + MEMBER_BATCH)));
    }
    Async.forEachWindowed(
        chunks,
        IN_FLIGHT / MEMBER_BATCH,
        chunk -> {
          BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
          for (UserId user : chunk) {
            batch.addStatement(insertMember.bind(id.value(), user.value(), at));
          }
          return session.executeAsync(batch.build().setIdempotent(true));
        });
    Async.forEachWindowed(
        all,
        IN_FLIGHT,
        u -> session.executeAsync(insertUserConversation.bind(u.value(), id.value(), at)));
  }

  @Override
  public void removeMembers(ConversationId id, Collection<UserId> users) {
    Async.forEachWindowed(
        List.copyOf(users),
        IN_FLIGHT / 2,
        u ->
            session
                .executeAsync(deleteMember.bind(id.value(), u.value()))
                .thenCombine(
                    session.executeAsync(deleteUserConversation.bind(u.value(), id.value())),
                    (a, b) -> b));
  }

  @Override
  public List<ConversationId> conversationsOf(UserId user) {
    List<ConversationId> out = new ArrayList<>();
    for (Row row : session.execute(conversationsOf.bind(user.value()))) {
      out.add(ConversationId.of(row.getString("conversation_id")));
    }
    return out;
  }

  @Override
  public BatchableStatement<?> recordHead(
      ConversationId id, long seq, long messageCount, boolean isMessage, Instant at) {
    return isMessage
        ? recordMessageHead.bind(seq, seq, messageCount, seq, at, seq, id.value())
        : recordHead.bind(seq, seq, messageCount, seq, at, id.value());
  }
}
