package io.messenger.history.conversation;

import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import java.util.Collection;

/**
 * An index of each user's conversations that {@link ConversationService} keeps in step with
 * membership: the conversation list's activity index implements it (package {@code activity}, which
 * depends on this one, not the other way round). Both calls return once the index is written, and
 * both are safe to repeat.
 */
public interface MembershipIndex {

  /** Lists a new conversation in its members' lists at its creation (member change version 0). */
  void created(Conversation conversation, Collection<UserId> members);

  /**
   * Follows the member change of {@code version} that left {@code countAfter} members, once its
   * member rows are written; a change rolled forward calls it again with the same arguments.
   */
  void membersChanged(
      ConversationId id,
      Collection<UserId> added,
      Collection<UserId> removed,
      int countAfter,
      long version);
}
