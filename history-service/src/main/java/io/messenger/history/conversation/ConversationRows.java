package io.messenger.history.conversation;

import com.datastax.oss.driver.api.core.cql.Row;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;

/**
 * A {@code conversations} row as a {@link Conversation}: the columns to select and their mapping,
 * shared by every reader of the row (the store, the conversation list's index).
 */
public final class ConversationRows {

  /** The columns {@link #of} reads, for a {@code SELECT} list. */
  public static final String COLUMNS =
      "type, title, created_by, created_at, last_seq, msg_count, last_message_seq, member_count,"
          + " large, listed_as_large";

  private ConversationRows() {}

  /** The conversation of a row that selected {@link #COLUMNS}; null for a missing row. */
  public static Conversation of(ConversationId id, Row row) {
    if (row == null || row.getString("type") == null) {
      return null;
    }
    return new Conversation(
        id,
        ConversationType.fromWire(row.getString("type")),
        row.getString("title"),
        UserId.of(row.getString("created_by")),
        row.getInstant("created_at"),
        row.getLong("last_seq"),
        row.getLong("msg_count"),
        row.getLong("last_message_seq"),
        row.isNull("member_count") ? Conversation.UNKNOWN_COUNT : row.getInt("member_count"),
        !row.isNull("large") && row.getBoolean("large"),
        !row.isNull("listed_as_large") && row.getBoolean("listed_as_large"));
  }
}
