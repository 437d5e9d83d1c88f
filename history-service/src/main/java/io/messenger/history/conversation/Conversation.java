package io.messenger.history.conversation;

import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;
import java.time.Instant;

/**
 * A conversation row.
 *
 * @param lastSeq the newest event seq known to the row (a hint: the log's head may be ahead)
 * @param messageCount messages up to {@code lastSeq} (a hint, paired with it)
 * @param lastMessageSeq the seq of the newest message, 0 before any
 * @param memberCount the number of members, or {@link #UNKNOWN_COUNT} for a conversation written
 *     before counts were kept and not changed since
 * @param large whether it is a large group (read diffusion), as decided at its creation or its
 *     newest member change
 */
public record Conversation(
    ConversationId id,
    ConversationType type,
    String title,
    UserId createdBy,
    Instant createdAt,
    long lastSeq,
    long messageCount,
    long lastMessageSeq,
    int memberCount,
    boolean large) {

  public static final int UNKNOWN_COUNT = -1;

  /** A conversation with write diffusion (not a large group). */
  public Conversation(
      ConversationId id,
      ConversationType type,
      String title,
      UserId createdBy,
      Instant createdAt,
      long lastSeq,
      long messageCount,
      long lastMessageSeq,
      int memberCount) {
    this(
        id,
        type,
        title,
        createdBy,
        createdAt,
        lastSeq,
        messageCount,
        lastMessageSeq,
        memberCount,
        false);
  }

  public Conversation withMemberCount(int count) {
    return new Conversation(
        id, type, title, createdBy, createdAt, lastSeq, messageCount, lastMessageSeq, count, large);
  }

  /** This conversation with {@code large} as its mode. */
  public Conversation withLarge(boolean large) {
    return new Conversation(
        id,
        type,
        title,
        createdBy,
        createdAt,
        lastSeq,
        messageCount,
        lastMessageSeq,
        memberCount,
        large);
  }
}
