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
 * @param listedAsLarge how the members' conversation lists hold it ({@code listed_as_large}): as a
 *     large group (no per-member activity rows) or by activity; it follows {@code large} once a
 *     member change's relisting is done
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
    boolean large,
    boolean listedAsLarge) {

  public static final int UNKNOWN_COUNT = -1;

  /** A conversation listed the way its mode says (a new one, or one built in memory). */
  public Conversation(
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
        large,
        large);
  }

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
        id,
        type,
        title,
        createdBy,
        createdAt,
        lastSeq,
        messageCount,
        lastMessageSeq,
        count,
        large,
        listedAsLarge);
  }

  /** This conversation with {@code large} as its mode, listed that way. */
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
        large,
        large);
  }
}
