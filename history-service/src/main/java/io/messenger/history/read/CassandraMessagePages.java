package io.messenger.history.read;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.history.cassandra.Async;
import io.messenger.history.cassandra.Keyspace;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.nio.ByteBuffer;
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
  private final PreparedStatement hiddenBelow;
  private final PreparedStatement hiddenAbove;
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
    hiddenBelow =
        session.prepare(
            "SELECT seq FROM "
                + ks.table("hidden_messages")
                + " WHERE conversation_id = ? AND user_id = ? AND seq < ? LIMIT ?");
    hiddenAbove =
        session.prepare(
            "SELECT seq FROM "
                + ks.table("hidden_messages")
                + " WHERE conversation_id = ? AND user_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?");
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
                out.add(new Bucket(row.getLong(0), row.getLong(1)));
              }
              return out;
            });
  }

  @Override
  public CompletionStage<List<PageMessage>> beforeAsync(
      ConversationId id, long bucket, long seq, int limit) {
    return session
        .executeAsync(before.bind(id.value(), bucket, seq, limit).setPageSize(limit + 1))
        .thenApply(CassandraMessagePages::rows);
  }

  @Override
  public CompletionStage<List<PageMessage>> afterAsync(
      ConversationId id, long bucket, long seq, int limit) {
    return session
        .executeAsync(after.bind(id.value(), bucket, seq, limit).setPageSize(limit + 1))
        .thenApply(CassandraMessagePages::rows);
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
  public CompletionStage<HiddenWindow> hiddenNearAsync(
      ConversationId id, UserId user, long seq, boolean above, int max) {
    PreparedStatement statement = above ? hiddenAbove : hiddenBelow;
    return session
        .executeAsync(statement.bind(id.value(), user.value(), seq, max).setPageSize(max + 1))
        .thenApply(
            rs -> {
              TreeSet<Long> out = new TreeSet<>();
              int n = 0;
              for (Row row : rs.currentPage()) {
                out.add(row.getLong(0));
                n++;
              }
              return new HiddenWindow(out, seq, above, n >= max);
            });
  }

  @Override
  public long readSeq(ConversationId id, UserId user) {
    Row row = session.execute(readSeq.bind(id.value(), user.value())).one();
    return row == null || row.isNull("read_seq") ? 0 : row.getLong("read_seq");
  }

  /**
   * The rows of the one result page (the page size is above the statement's LIMIT). Columns by
   * index, in {@link #COLUMNS} order; text cells decoded straight from their bytes (the driver's
   * text codec decodes through a {@code CharBuffer}: two copies).
   */
  private static List<PageMessage> rows(AsyncResultSet rs) {
    List<PageMessage> out = new ArrayList<>(rs.remaining());
    for (Row row : rs.currentPage()) {
      out.add(
          new PageMessage(
              row.getLong(0),
              UserId.of(text(row, 1)),
              row.getInstant(2),
              text(row, 3),
              row.getInstant(4),
              row.getBoolean(5)));
    }
    if (rs.hasMorePages()) {
      throw new IllegalStateException("a page of messages spans more than one result page");
    }
    return out;
  }

  /**
   * A text cell as the driver's codec decodes it: UTF-8, null stays null, empty is "" (Cassandra
   * validates UTF-8 on write, so the codec's strictness on malformed input never applies).
   */
  static String text(Row row, int i) {
    ByteBuffer bytes = row.getBytesUnsafe(i);
    if (bytes == null) {
      return null;
    }
    if (bytes.hasArray()) {
      return new String(
          bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining(), UTF_8);
    }
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return new String(copy, UTF_8);
  }
}
