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
 */
public record Conversation(
    ConversationId id,
    ConversationType type,
    String title,
    UserId createdBy,
    Instant createdAt,
    long lastSeq,
    long messageCount,
    long lastMessageSeq) {}
