package io.messenger.history.conversation;

import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Conversations and their members: the system of record for membership.
 *
 * <p>Tables (docs/data-layout.md): {@code conversations} (one row per conversation), {@code
 * direct_pairs} (one row per pair of users, claimed with a lightweight transaction so a direct
 * conversation is created once), {@code conversation_members} (partition per conversation, at most
 * {@code messenger.group.max-members} rows), {@code user_conversations} (partition per user).
 */
public interface ConversationStore {

  Optional<Conversation> find(ConversationId id);

  /** The members, sorted by id. */
  List<UserId> members(ConversationId id);

  /** At most {@code limit} members with an id after {@code after} ("" from the first), by id. */
  List<UserId> members(ConversationId id, String after, int limit);

  /** The number of members; counts the member rows when the row has no count (older data). */
  int memberCount(Conversation conversation);

  /**
   * Records the number of members a change left and the mode it decided (large group or not), with
   * {@code USING TIMESTAMP version + 1}: a write of an older change never wins; creation is version
   * 0.
   */
  void recordMemberCount(ConversationId id, int count, boolean large, long version);

  boolean isMember(ConversationId id, UserId user);

  /** {@link #find}, without waiting: issued together with other reads of a request. */
  CompletionStage<Optional<Conversation>> findAsync(ConversationId id);

  /** {@link #members}, without waiting. */
  CompletionStage<List<UserId>> membersAsync(ConversationId id);

  /** The first {@code limit} members by id, without waiting: a read bounded whatever the size. */
  CompletionStage<List<UserId>> membersAsync(ConversationId id, int limit);

  /** {@link #isMember}, without waiting. */
  CompletionStage<Boolean> isMemberAsync(ConversationId id, UserId user);

  /**
   * Claims the pair {@code a}/{@code b} for {@code candidate}; returns the id the pair is bound to:
   * {@code candidate} if this call claimed it, otherwise the existing conversation's id.
   */
  ConversationId claimDirectPair(UserId a, UserId b, ConversationId candidate);

  /** Writes the conversation row (its count and mode included) and its members (idempotent). */
  void create(Conversation conversation, Collection<UserId> members);

  void addMembers(ConversationId id, Collection<UserId> users, Instant at);

  void removeMembers(ConversationId id, Collection<UserId> users);

  /** The ids of the user's conversations. */
  List<ConversationId> conversationsOf(UserId user);

  /**
   * The statement that moves the head hints and the list position ({@code last_event_seq}, {@code
   * last_event_at}) to the event at {@code seq}, for the caller to send with the event's other
   * writes: written at timestamp {@code seq}, so the last event by seq wins and they never move
   * back, whatever order events are projected in.
   */
  BatchableStatement<?> recordHead(
      ConversationId id, long seq, long messageCount, boolean isMessage, Instant at);
}
