package io.messenger.history.conversation;

import io.messenger.history.cassandra.Async;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.Limits;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Creating conversations and changing their members: the rules. */
@Service
public class ConversationService {

  private final ConversationStore store;
  private final GroupProperties groups;
  private final Clock clock;

  ConversationService(ConversationStore store, GroupProperties groups, Clock clock) {
    this.store = store;
    this.groups = groups;
    this.clock = clock;
  }

  /** The result of a create: the conversation, its members, and whether this call created it. */
  public record Created(Conversation conversation, List<UserId> members, boolean created) {}

  /** The result of a membership change. */
  public record MembersChanged(
      Conversation conversation,
      List<UserId> membersBefore,
      List<UserId> members,
      List<UserId> added,
      List<UserId> removed,
      String changeId,
      Instant at) {}

  public Created create(
      ConversationType type, List<UserId> requested, String title, UserId createdBy) {
    TreeSet<UserId> members = new TreeSet<>(requested);
    members.add(createdBy);
    if (title != null && !Limits.isWellFormedText(title)) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "title must not contain unpaired surrogates");
    }
    if (title != null && title.length() > Limits.MAX_TITLE_LENGTH) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION,
          "title must be at most " + Limits.MAX_TITLE_LENGTH + " characters");
    }
    // Cassandra keeps milliseconds: so does every answer, first or repeated.
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    if (type == ConversationType.DIRECT) {
      if (members.size() != 2) {
        throw ApiException.badRequest(
            ProblemType.VALIDATION,
            "a direct conversation has exactly two members: the caller and one other user");
      }
      UserId a = members.first();
      UserId b = members.last();
      ConversationId id = store.claimDirectPair(a, b, ConversationId.random());
      Conversation existing = store.find(id).orElse(null);
      if (existing != null) {
        return new Created(existing, store.members(id), false);
      }
      // This call claimed the pair, or an earlier one claimed it and failed before writing the
      // conversation: either way the conversation is written now.
      Conversation conversation = new Conversation(id, type, title, createdBy, now, 0, 0, 0);
      store.create(conversation, members);
      return new Created(conversation, List.copyOf(members), true);
    }
    if (members.size() > groups.maxMembers()) {
      throw ApiException.badRequest(
          ProblemType.GROUP_TOO_LARGE, "a group has at most " + groups.maxMembers() + " members");
    }
    Conversation conversation =
        new Conversation(ConversationId.random(), type, title, createdBy, now, 0, 0, 0);
    store.create(conversation, members);
    return new Created(conversation, List.copyOf(members), true);
  }

  public MembersChanged changeMembers(
      ConversationId id, UserId actor, List<UserId> add, List<UserId> remove) {
    if (add.isEmpty() && remove.isEmpty()) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "add or remove must name at least one member");
    }
    Conversation conversation = requireMember(id, actor);
    if (conversation.type() == ConversationType.DIRECT) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "the members of a direct conversation cannot change");
    }
    List<UserId> before = store.members(id);
    TreeSet<UserId> toAdd = new TreeSet<>(add);
    toAdd.removeAll(before);
    TreeSet<UserId> toRemove = new TreeSet<>(remove);
    toRemove.retainAll(before);
    toAdd.removeAll(toRemove);
    TreeSet<UserId> after = new TreeSet<>(before);
    after.addAll(toAdd);
    after.removeAll(toRemove);
    if (after.size() > groups.maxMembers()) {
      throw ApiException.badRequest(
          ProblemType.GROUP_TOO_LARGE, "a group has at most " + groups.maxMembers() + " members");
    }
    Instant now = clock.instant();
    if (!toAdd.isEmpty()) {
      store.addMembers(id, toAdd, now);
    }
    if (!toRemove.isEmpty()) {
      store.removeMembers(id, toRemove);
    }
    return new MembersChanged(
        conversation,
        before,
        new ArrayList<>(after),
        new ArrayList<>(toAdd),
        new ArrayList<>(toRemove),
        UUID.randomUUID().toString().replace("-", ""),
        now);
  }

  /**
   * The conversation, if {@code user} is a member; otherwise 404 whether or not it exists, so that
   * existence does not leak.
   */
  public Conversation requireMember(ConversationId id, UserId user) {
    return Async.await(requireMemberAsync(id, user));
  }

  /**
   * {@link #requireMember} without waiting: the conversation row and the membership row are read at
   * the same time (one round trip instead of two), and a caller can issue its own reads beside
   * them.
   */
  public CompletionStage<Conversation> requireMemberAsync(ConversationId id, UserId user) {
    return store
        .findAsync(id)
        .thenCombine(
            store.isMemberAsync(id, user),
            (conversation, member) -> {
              if (conversation.isEmpty() || !member) {
                throw new ApiException(
                    HttpStatus.NOT_FOUND,
                    ProblemType.CONVERSATION_NOT_FOUND,
                    "no conversation " + id + " with this user as a member");
              }
              return conversation.get();
            });
  }

  public List<UserId> members(ConversationId id) {
    return store.members(id);
  }

  /** {@link #members} without waiting. */
  public CompletionStage<List<UserId>> membersAsync(ConversationId id) {
    return store.membersAsync(id);
  }
}
