package io.messenger.model.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.InboxItem;
import io.messenger.model.Limits;
import io.messenger.model.Message;
import io.messenger.model.OperationEvent;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/**
 * The request and response bodies of the history-service's internal API, one record per body,
 * shared by both services.
 *
 * <p>Two rules keep the services deployable one at a time:
 *
 * <ul>
 *   <li><b>Requests</b> (sent by the sync-service) carry the history-service's validation: a bad
 *       body is a 400 there, whatever sent it.
 *   <li><b>Answers</b> (read by the sync-service) are tolerant: a field an older history-service
 *       does not send is boxed and defaults in the compact constructor (Jackson refuses a missing
 *       value for a primitive), and lists default to empty.
 * </ul>
 */
public final class HistoryApi {

  /** The relay's shards: a conversation's relay mark lives in shard {@code hash(cid) mod 16}. */
  public static final int RELAY_SHARDS = 16;

  /** The longest relay cursor (a conversation id). */
  private static final int MAX_CURSOR = 64;

  /** At most this many events in one confirm or advance call. */
  public static final int MAX_RELAY_BATCH = 1000;

  private HistoryApi() {}

  // ---------------------------------------------------------------- conversations

  /** {@code POST /internal/v1/conversations}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CreateConversation(
      @NotNull ConversationType type,
      @NotNull @Size(min = 1, max = Limits.DEFAULT_MAX_GROUP_MEMBERS) List<@NotNull UserId> members,
      String title,
      @NotNull UserId createdBy,
      @Pattern(regexp = Limits.ID_REGEX) String clientRequestId) {}

  /** A created conversation; {@code large}: a large group (read diffusion) from its creation. */
  public record Conversation(
      ConversationId conversationId,
      ConversationType type,
      String title,
      List<UserId> members,
      Instant createdAt,
      UserId createdBy,
      Boolean large) {
    public Conversation {
      large = Boolean.TRUE.equals(large); // absent from a history-service of the first round
    }
  }

  /** {@code POST /internal/v1/conversations/{cid}/members}. */
  public record ChangeMembers(
      @NotNull UserId actorId,
      @Size(max = Limits.DEFAULT_MAX_GROUP_MEMBERS) List<@NotNull UserId> add,
      @Size(max = Limits.DEFAULT_MAX_GROUP_MEMBERS) List<@NotNull UserId> remove) {
    public ChangeMembers {
      add = add == null ? List.of() : add;
      remove = remove == null ? List.of() : remove;
    }
  }

  /**
   * The result of a membership change. {@code members}: all members after it, except for a group
   * that was and stays large (then the first 100 by id); {@code memberCount}: how many there are;
   * {@code wasLarge} / {@code large}: the mode before and after; {@code lastSeq}: the newest event
   * seq the history-service knew at the change (never ahead of the log); {@code seq}: the change's
   * own event in the log.
   */
  public record MembersChanged(
      ConversationId conversationId,
      ConversationType type,
      String title,
      List<UserId> members,
      List<UserId> added,
      List<UserId> removed,
      String changeId,
      Instant at,
      Integer memberCount,
      Boolean wasLarge,
      Boolean large,
      Long lastSeq,
      Long seq) {
    public MembersChanged {
      seq = seq == null ? 0 : seq;
      memberCount = memberCount == null ? 0 : memberCount;
      wasLarge = Boolean.TRUE.equals(wasLarge);
      large = Boolean.TRUE.equals(large);
      lastSeq = lastSeq == null ? 0 : lastSeq;
      members = members == null ? List.of() : List.copyOf(members);
      added = added == null ? List.of() : List.copyOf(added);
      removed = removed == null ? List.of() : List.copyOf(removed);
    }
  }

  // ---------------------------------------------------------------- events

  /** {@code POST /internal/v1/conversations/{cid}/messages}. */
  public record SendMessage(
      @NotNull UserId senderId,
      @NotNull @Pattern(regexp = Limits.CLIENT_ID_REGEX) String clientMsgId,
      @NotNull String text) {}

  /**
   * The stored message and whose inboxes must get it; {@code largeGroup}: none, it is for every
   * member of a large group, whose head moves instead (read diffusion).
   */
  public record MessageSent(Message message, List<UserId> recipients, Boolean largeGroup) {
    public MessageSent {
      largeGroup = Boolean.TRUE.equals(largeGroup);
      recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }
  }

  /** {@code POST /internal/v1/conversations/{cid}/operations}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ApplyOperation(
      @NotNull UserId actorId,
      @NotNull @Pattern(regexp = Limits.CLIENT_ID_REGEX) String clientOpId,
      @NotNull OperationType type,
      Long targetSeq,
      Long upToSeq,
      String text) {}

  /** The stored operation event and who must receive it; {@code largeGroup} as for messages. */
  public record OperationApplied(
      OperationEvent event, List<UserId> recipients, Boolean largeGroup) {
    public OperationApplied {
      largeGroup = Boolean.TRUE.equals(largeGroup);
      recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }
  }

  // ---------------------------------------------------------------- relay

  /** {@code POST /internal/v1/relay/sweep}: one shard, from after a conversation id. */
  public record RelaySweep(
      @Min(0) @Max(RELAY_SHARDS - 1) int shard,
      @Size(max = MAX_CURSOR) String after,
      @Min(0) @Max(60_000) long settleMs) {}

  /**
   * One logged event to deliver again: exactly one of {@code message}, {@code operation} and {@code
   * system} (a membership change's notice) is set; {@code largeGroup}: move the large group's head
   * instead of writing inboxes.
   */
  public record RelayDelivery(
      Message message,
      OperationEvent operation,
      List<UserId> recipients,
      Boolean largeGroup,
      InboxItem.SystemItem system) {
    public RelayDelivery {
      largeGroup = Boolean.TRUE.equals(largeGroup);
      recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }
  }

  /**
   * What a relay worker reports for one conversation once its deliveries are in the inboxes: the
   * checkpoint ({@code upToSeq}, 0 for no change), the mark it covers (0 for none), the mark to
   * delete (0 for none).
   */
  public record RelayProgress(
      @NotNull ConversationId conversationId,
      @Min(0) long upToSeq,
      @Min(0) long coveredMark,
      @Min(0) long clearMark) {}

  /** The answer of a sweep: where to start the next one ("" from the beginning). */
  public record RelaySwept(
      List<RelayDelivery> deliveries, List<RelayProgress> progress, String next) {
    public RelaySwept {
      deliveries = deliveries == null ? List.of() : List.copyOf(deliveries);
      progress = progress == null ? List.of() : List.copyOf(progress);
      next = next == null ? "" : next;
    }
  }

  /** Where the sweep of one shard starts: after this conversation id ("" from the beginning). */
  public record RelayShard(
      @Min(0) @Max(RELAY_SHARDS - 1) int shard, @Size(max = MAX_CURSOR) String after) {}

  /** {@code POST /internal/v1/relay/sweeps}: several shards in one call. */
  public record RelaySweeps(
      @NotNull @Size(min = 1, max = RELAY_SHARDS) List<@Valid @NotNull RelayShard> shards,
      @Min(0) @Max(60_000) long settleMs) {}

  /** The sweep of one shard within a {@link RelaySweeps} answer. */
  public record RelayShardSwept(
      int shard, List<RelayDelivery> deliveries, List<RelayProgress> progress, String next) {
    public RelayShardSwept {
      deliveries = deliveries == null ? List.of() : List.copyOf(deliveries);
      progress = progress == null ? List.of() : List.copyOf(progress);
      next = next == null ? "" : next;
    }
  }

  /** The answer of {@code /sweeps}: one sweep per shard asked for, in the same order. */
  public record RelaySweptShards(List<RelayShardSwept> sweeps) {
    public RelaySweptShards {
      sweeps = sweeps == null ? List.of() : List.copyOf(sweeps);
    }
  }

  /** An event whose write's own fan-out reached every recipient. */
  public record RelayDelivered(@NotNull ConversationId conversationId, @Min(1) long seq) {}

  /** {@code POST /internal/v1/relay/confirm}: at most 1,000 delivered events. */
  public record RelayConfirm(
      @NotNull @Size(max = MAX_RELAY_BATCH) List<@Valid @NotNull RelayDelivered> delivered) {}

  /** The answer of a confirm: how many conversations' checkpoints moved. */
  public record RelayConfirmed(int advanced) {}

  /** {@code POST /internal/v1/relay/advance}: at most 1,000 conversations. */
  public record RelayAdvance(
      @NotNull @Size(max = MAX_RELAY_BATCH) List<@Valid @NotNull RelayProgress> progress) {}

  /** The answer of an advance: how many conversations it recorded. */
  public record RelayAdvanced(int recorded) {}
}
