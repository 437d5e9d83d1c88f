package io.messenger.history.page;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Async;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import org.springframework.stereotype.Repository;

/** {@link MessagePages} on Cassandra: each method is one single-partition query. */
@Repository
class CassandraMessagePages implements MessagePages {

  private static final String COLUMNS = "seq, sender_id, sent_at, text, edited_at, recalled";

  private final CqlSession session;
  private final PreparedStatement buckets;
  private final PreparedStatement before;
  private final PreparedStatement after;
  private final PreparedStatement hidden;
  private final PreparedStatement readSeq;

  CassandraMessagePages(CqlSession session, Keyspace ks) {
    this.session = session;
    String messages = ks.table("messages");
    buckets =
        session.prepare(
            "SELECT bucket, first_seq FROM "
                + ks.table("message_buckets")
                + " WHERE conversation_id = ?");
    before =
        session.prepare(
            "SELECT "
                + COLUMNS
                + " FROM "
                + messages
                + " WHERE conversation_id = ? AND bucket = ? AND seq < ? LIMIT ?");
    after =
        session.prepare(
            "SELECT "
                + COLUMNS
                + " FROM "
                + messages
                + " WHERE conversation_id = ? AND bucket = ? AND seq > ? ORDER BY seq ASC LIMIT ?");
    hidden =
        session.prepare(
            "SELECT seq FROM "
                + ks.table("hidden_messages")
                + " WHERE conversation_id = ? AND user_id = ? AND seq >= ? AND seq <= ?");
    readSeq =
        session.prepare(
            "SELECT read_seq FROM "
                + ks.table("read_markers")
                + " WHERE conversation_id = ? AND user_id = ?");
  }

  @Override
  public List<Bucket> buckets(ConversationId id) {
    return Async.await(bucketsAsync(id));
  }

  @Override
  public CompletionStage<List<Bucket>> bucketsAsync(ConversationId id) {
    // One row per 1000 messages: a million messages are 1000 rows, within the first result page.
    return session
        .executeAsync(buckets.bind(id.value()).setPageSize(100_000))
        .thenApply(
            rs -> {
              List<Bucket> out = new ArrayList<>();
              for (Row row : rs.currentPage()) {
                out.add(new Bucket(row.getLong("bucket"), row.getLong("first_seq")));
              }
              return out;
            });
  }

  @Override
  public List<PageMessage> before(ConversationId id, long bucket, long seq, int limit) {
    return rows(session.execute(before.bind(id.value(), bucket, seq, limit)));
  }

  @Override
  public List<PageMessage> after(ConversationId id, long bucket, long seq, int limit) {
    return rows(session.execute(after.bind(id.value(), bucket, seq, limit)));
  }

  @Override
  public NavigableSet<Long> hidden(ConversationId id, UserId user, long from, long to) {
    TreeSet<Long> out = new TreeSet<>();
    for (Row row : session.execute(hidden.bind(id.value(), user.value(), from, to))) {
      out.add(row.getLong("seq"));
    }
    return out;
  }

  @Override
  public long readSeq(ConversationId id, UserId user) {
    Row row = session.execute(readSeq.bind(id.value(), user.value())).one();
    return row == null || row.isNull("read_seq") ? 0 : row.getLong("read_seq");
  }

  private static List<PageMessage> rows(Iterable<Row> rows) {
    List<PageMessage> out = new ArrayList<>();
    for (Row row : rows) {
      out.add(
          new PageMessage(
              row.getLong("seq"),
              UserId.of(row.getString("sender_id")),
              row.getInstant("sent_at"),
              row.getString("text"),
              row.getInstant("edited_at"),
              row.getBoolean("recalled")));
    }
    return out;
  }
}
