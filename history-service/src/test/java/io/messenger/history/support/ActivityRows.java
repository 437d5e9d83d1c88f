package io.messenger.history.support;

import com.datastax.oss.driver.api.core.CqlSession;
import io.messenger.history.cassandra.Keyspace;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A user's live rows in the conversation list's activity index ({@code user_activity}). */
public final class ActivityRows {

  /** One row: the conversation it lists, and at which time. */
  public record Row(String conversationId, Instant activeAt) {}

  private ActivityRows() {}

  /** Every live row of {@code user}, bucket by bucket as the user's bucket index lists them. */
  public static List<Row> of(CqlSession session, Keyspace keyspace, String user) {
    List<Row> out = new ArrayList<>();
    for (var bucket :
        session.execute(
            "SELECT bucket FROM " + keyspace.table("user_activity_buckets") + " WHERE user_id = ?",
            user)) {
      for (var row :
          session.execute(
              "SELECT conversation_id, active_at FROM "
                  + keyspace.table("user_activity")
                  + " WHERE user_id = ? AND bucket = ?",
              user,
              bucket.getInt("bucket"))) {
        out.add(new Row(row.getString("conversation_id"), row.getInstant("active_at")));
      }
    }
    return out;
  }
}
