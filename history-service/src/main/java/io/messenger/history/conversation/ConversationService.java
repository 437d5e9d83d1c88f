package io.messenger.history.conversation;

import io.messenger.history.cassandra.Async;
import io.messenger.history.cassandra.Memo;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.Limits;
import io.messenger.model.Sha256;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Creating conversations and changing their members: the rules. */
@Service
public class ConversationService {

  private static final int MAX_CHANGE_ATTEMPTS = 8;
  private static final java.time.Duration RETRY_AFTER = java.time.Duration.ofSeconds(1);

  /** Direct conversations whose members an instance remembers (about 10 MB at most). */
  static final int KNOWN_DIRECT_CONVERSATIONS = 20_000;

  private final ConversationStore store;

  /**
   * The two members of direct conversations this instance has read. They never change (a direct
   * conversation's members cannot be changed, {@link #changeMembers}), so a write to one needs no
   * member list read again: one Cassandra read fewer per direct message.
   */
  private final Memo<String, List<UserId>> directMembers =
      new Memo<>(KNOWN_DIRECT_CONVERSATIONS, (known, read) -> known);

  private final MemberChanges changes;
  private final GroupProperties groups;
  private final FanoutProperties fanout;
  private final MembershipIndex activity;
  private final MembershipLog log;
  private final Clock clock;

  ConversationService(
      ConversationStore store,
      MemberChanges changes,
      GroupProperties groups,
      FanoutProperties fanout,
      MembershipIndex activity,
      MembershipLog log,
      Clock clock) {
    this.store = store;
    this.changes = changes;
    this.groups = groups;
    this.fanout = fanout;
    this.activity = activity;
    this.log = log;
    this.clock = clock;
  }

  /** The result of a create: the conversation, its members, and whether this call created it. */
  public record Created(Conversation conversation, List<UserId> members, boolean created) {}

  /**
   * The result of a membership change.
   *
   * @param members every member after the change when the group is not large after it or it just
   *     became large (whoever's inbox or large-group index must hear of it); otherwise only the
   *     first {@value Limits#MEMBERS_IN_NOTIFICATION} by id
   * @param memberCount the number of members after the change
   * @param wasLarge whether the group was a large group before the change
   * @param large whether it is one after it
   * @param lastSeq the change's own seq in the log when it changed something (every event before it
   *     was written in the mode before the change); otherwise the newest seq known (a hint, never
   *     ahead of the log)
   * @param seq the change's seq in the log, 0 when it changed nothing
   */
  public record MembersChanged(
      Conversation conversation,
      List<UserId> members,
      List<UserId> added,
      List<UserId> removed,
      String changeId,
      Instant at,
      int memberCount,
      boolean wasLarge,
      boolean large,
      long lastSeq,
      long seq) {}

  /** Who a logged membership change added and removed. */
  public record MemberNames(List<UserId> added, List<UserId> removed) {}

  /**
   * Creates a conversation. A direct one exists once per pair (a repeat answers the existing one);
   * a group created with a {@code clientRequestId} exists once per (creator, id): a repeat with the
   * same content answers the first creation, other content is a 409.
   */
  public Created create(
      ConversationType type,
      List<UserId> requested,
      String title,
      UserId createdBy,
      String clientRequestId) {
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
      Conversation conversation =
          new Conversation(id, type, title, createdBy, now, 0, 0, 0, members.size(), false);
      write(conversation, members);
      return new Created(conversation, List.copyOf(members), true);
    }
    if (members.size() > groups.maxMembers()) {
      throw ApiException.badRequest(
          ProblemType.GROUP_TOO_LARGE, "a group has at most " + groups.maxMembers() + " members");
    }
    if (clientRequestId == null) {
      Conversation conversation =
          new Conversation(
                  ConversationId.random(), type, title, createdBy, now, 0, 0, 0, members.size())
              .withLarge(fanout.isLarge(members.size()));
      write(conversation, members);
      return new Created(conversation, List.copyOf(members), true);
    }
    String fingerprint =
        Sha256.hex(
            type.wireName(),
            title == null ? "\u0001" : title,
            members.stream().map(UserId::value).collect(Collectors.joining(",")));
    ConversationId candidate = ConversationId.random();
    Optional<MemberChanges.Creation> earlier =
        changes.claimCreation(createdBy, clientRequestId, candidate, fingerprint, now);
    if (earlier.isEmpty()) {
      Conversation conversation =
          new Conversation(candidate, type, title, createdBy, now, 0, 0, 0, members.size())
              .withLarge(fanout.isLarge(members.size()));
      write(conversation, members);
      return new Created(conversation, List.copyOf(members), true);
    }
    MemberChanges.Creation first = earlier.get();
    if (!first.fingerprint().equals(fingerprint)) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          ProblemType.IDEMPOTENCY_CONFLICT,
          "clientRequestId " + clientRequestId + " was already used for a different conversation");
    }
    // The same request again: the first creation, written now if it died before writing it.
    Conversation conversation =
        store
            .find(first.conversationId())
            .orElseGet(
                () -> {
                  Conversation c =
                      new Conversation(
                          first.conversationId(),
                          type,
                          title,
                          createdBy,
                          first.createdAt(),
                          0,
                          0,
                          0,
                          members.size(),
                          fanout.isLarge(members.size()));
                  write(c, members);
                  return c;
                });
    return new Created(conversation, List.copyOf(members), false);
  }

  /** Writes the conversation and its members, and lists it in their conversation lists. */
  private void write(Conversation conversation, java.util.Collection<UserId> members) {
    store.create(conversation, members);
    activity.created(conversation, members);
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
    // Serialized per conversation: each change is computed from the members the previous one
    // left, and recorded with a compare-and-set on the conversation's change version.
    for (int attempt = 1; attempt <= MAX_CHANGE_ATTEMPTS; attempt++) {
      MemberChanges.Change last = changes.current(id);
      if (!last.applied()) {
        // a change whose writer died before writing all of it: finished, and logged, now
        applyRows(id, last, store.find(id).orElseThrow(), now());
      }
      Conversation now0 = store.find(id).orElseThrow();
      int count = last.memberCount() >= 0 ? last.memberCount() : store.memberCount(now0);
      boolean wasLarge = now0.large();
      // A group with write diffusion reads its member list (at most the threshold); a large group
      // looks up only the named users, so a change costs O(named), not O(members).
      List<UserId> before = wasLarge ? null : store.members(id);
      TreeSet<UserId> toAdd = new TreeSet<>(add);
      TreeSet<UserId> toRemove = new TreeSet<>(remove);
      toAdd.removeAll(toRemove);
      if (before != null) {
        toAdd.removeAll(before);
        toRemove.retainAll(before);
      } else {
        Set<UserId> present = presentAmong(id, toAdd, toRemove);
        toAdd.removeAll(present);
        toRemove.retainAll(present);
      }
      int afterCount = count + toAdd.size() - toRemove.size();
      if (afterCount > groups.maxMembers()) {
        throw ApiException.badRequest(
            ProblemType.GROUP_TOO_LARGE, "a group has at most " + groups.maxMembers() + " members");
      }
      boolean changed = !toAdd.isEmpty() || !toRemove.isEmpty();
      // The mode is decided at each change (and kept between them), so the sync-service, which
      // registers members for read diffusion on a change, always sees the mode change.
      boolean large = changed ? fanout.isLarge(afterCount) : wasLarge;
      Instant now = now();
      String changeId = UUID.randomUUID().toString().replace("-", "");
      MemberChanges.Change next =
          new MemberChanges.Change(
              last.version() + 1,
              changeId,
              actor,
              List.copyOf(toAdd),
              List.copyOf(toRemove),
              now,
              false,
              afterCount,
              large);
      if (changed && !changes.propose(id, last, next)) {
        continue;
      }
      long seq = changed ? applyRows(id, next, now0, now) : 0;
      List<UserId> members;
      if (before != null) {
        TreeSet<UserId> after = new TreeSet<>(before);
        after.addAll(toAdd);
        after.removeAll(toRemove);
        // All of them: write diffusion tells each, a group that just became large indexes each.
        members = new ArrayList<>(after);
      } else {
        members =
            large
                ? store.members(id, "", Limits.MEMBERS_IN_NOTIFICATION)
                : store.members(id); // shrunk below the threshold: write diffusion again
      }
      return new MembersChanged(
          now0,
          members,
          changed ? new ArrayList<>(toAdd) : List.of(),
          changed ? new ArrayList<>(toRemove) : List.of(),
          changeId,
          now,
          afterCount,
          wasLarge,
          large,
          changed ? seq : now0.lastSeq(),
          seq);
    }
    throw ApiException.unavailable(
        "the members of this conversation are changing too often; retry", RETRY_AFTER, null);
  }

  /** Which of the named users are members now: one row read each, issued together. */
  private Set<UserId> presentAmong(ConversationId id, Set<UserId> a, Set<UserId> b) {
    List<UserId> named = new ArrayList<>(a);
    named.addAll(b);
    Set<UserId> present = java.util.concurrent.ConcurrentHashMap.newKeySet();
    io.messenger.history.cassandra.Async.forEachWindowed(
        named,
        256,
        user ->
            store
                .isMemberAsync(id, user)
                .thenAccept(
                    member -> {
                      if (member) {
                        present.add(user);
                      }
                    }));
    return present;
  }

  /**
   * Writes the member rows of {@code change}, its count, mode and names (idempotent), logs it
   * (once, at {@code at} if now), then marks it applied; returns its seq (0 for a change recorded
   * before changes had an actor, which is not logged).
   */
  private long applyRows(
      ConversationId id, MemberChanges.Change change, Conversation row, Instant at) {
    if (!change.added().isEmpty()) {
      store.addMembers(id, change.added(), change.at());
    }
    if (!change.removed().isEmpty()) {
      store.removeMembers(id, change.removed());
    }
    int count =
        change.memberCount() >= 0
            ? change.memberCount()
            // a change the previous version recorded, without its count: count the rows it left
            : store.memberCount(
                store.find(id).orElseThrow().withMemberCount(Conversation.UNKNOWN_COUNT));
    store.recordMemberCount(id, count, change.large(), change.version());
    activity.membersChanged(id, change.added(), change.removed(), count, change.version());
    long seq = 0;
    if (change.actor() != null) {
      changes.recordNames(id, change);
      seq = log.logged(row, change.actor(), change.changeId(), at, change.large());
    }
    changes.applied(id, change.version());
    return seq;
  }

  /** Who the logged membership change {@code changeId} added and removed, without waiting. */
  public CompletionStage<MemberNames> memberNamesAsync(ConversationId id, String changeId) {
    return changes
        .namesAsync(id, changeId)
        .thenApply(names -> new MemberNames(names.added(), names.removed()));
  }

  /** Now, to the millisecond Cassandra keeps (so a repeated answer is identical). */
  private Instant now() {
    return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
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
            (conversation, member) -> found(id, conversation, member));
  }

  private static Conversation found(
      ConversationId id, Optional<Conversation> conversation, boolean member) {
    if (conversation.isEmpty() || !member) {
      throw new ApiException(
          HttpStatus.NOT_FOUND,
          ProblemType.CONVERSATION_NOT_FOUND,
          "no conversation " + id + " with this user as a member");
    }
    return conversation.get();
  }

  /**
   * {@link #requireMemberAsync(ConversationId, UserId)} for a caller that reads the first {@code
   * limit} members anyway ({@code first}): a list shorter than {@code limit} holds every member and
   * answers the membership without a read of its own (one read fewer per message); a full one falls
   * back to the membership row.
   */
  public CompletionStage<Conversation> requireMemberAsync(
      ConversationId id, UserId user, CompletionStage<List<UserId>> first, int limit) {
    CompletionStage<Boolean> member =
        first.thenCompose(
            list ->
                list.size() < limit
                    ? CompletableFuture.completedFuture(list.contains(user))
                    : store.isMemberAsync(id, user));
    return store
        .findAsync(id)
        .thenCombine(member, (conversation, isMember) -> found(id, conversation, isMember))
        .thenCombine(
            first,
            (conversation, list) -> {
              if (conversation.type() == ConversationType.DIRECT && list.size() == 2) {
                directMembers.remember(id.value(), List.copyOf(list));
              }
              return conversation;
            });
  }

  /**
   * The first {@code limit} members by id, without waiting: for a direct conversation this instance
   * has read before, its two members without a read.
   */
  public CompletionStage<List<UserId>> firstMembersAsync(ConversationId id, int limit) {
    List<UserId> direct = directMembers.get(id.value());
    return direct != null && direct.size() < limit
        ? CompletableFuture.completedFuture(direct)
        : store.membersAsync(id, limit);
  }

  public List<UserId> members(ConversationId id) {
    return store.members(id);
  }

  /** {@link #members} without waiting. */
  public CompletionStage<List<UserId>> membersAsync(ConversationId id) {
    return store.membersAsync(id);
  }

  /** The first {@code limit} members by id, without waiting. */
  public CompletionStage<List<UserId>> membersAsync(ConversationId id, int limit) {
    return store.membersAsync(id, limit);
  }
}
