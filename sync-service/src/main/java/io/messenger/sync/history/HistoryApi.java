package io.messenger.sync.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.InboxItem;
import io.messenger.model.Message;
import io.messenger.model.OperationEvent;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.List;

/** The bodies of the history-service's internal API ({@code /internal/v1/...}). */
public final class HistoryApi {

  private HistoryApi() {}

  /** A 2xx answer and whether it was a creation (201) or a repeat (200). */
  public record Outcome<T>(T body, boolean created) {}

  /** {@code POST /internal/v1/conversations}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CreateConversation(
      ConversationType type,
      List<UserId> members,
      String title,
      UserId createdBy,
      String clientRequestId) {}

  /** A conversation as the history-service returns it; {@code large}: a large group. */
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
  public record ChangeMembers(UserId actorId, List<UserId> add, List<UserId> remove) {}

  /**
   * The result of a membership change. {@code members}: all members after it, except for a group
   * that was and stays large (then the first 100 by id); {@code lastSeq}: the newest event seq the
   * history-service knew at the change (never ahead of the log).
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

  /** {@code POST /internal/v1/conversations/{cid}/messages}. */
  public record SendMessage(UserId senderId, String clientMsgId, String text) {}

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
      UserId actorId, String clientOpId, String type, Long targetSeq, Long upToSeq, String text) {}

  /** The stored operation event and who must receive it; {@code largeGroup} as for messages. */
  public record OperationApplied(
      OperationEvent event, List<UserId> recipients, Boolean largeGroup) {
    public OperationApplied {
      largeGroup = Boolean.TRUE.equals(largeGroup);
      recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }
  }

  /** {@code POST /internal/v1/relay/sweep}: one shard, from after a conversation id. */
  public record RelaySweep(int shard, String after, long settleMs) {}

  /**
   * One logged event to deliver again: exactly one of message and operation is set; {@code
   * largeGroup}: move the large group's head instead of writing inboxes.
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

  /** What to report back for one conversation once its deliveries are in the inboxes. */
  public record RelayProgress(
      ConversationId conversationId, long upToSeq, long coveredMark, long clearMark) {}

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
  public record RelayShard(int shard, String after) {}

  /** {@code POST /internal/v1/relay/sweeps}: several shards in one call. */
  public record RelaySweeps(List<RelayShard> shards, long settleMs) {}

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
  public record RelayDelivered(ConversationId conversationId, long seq) {}

  /** {@code POST /internal/v1/relay/confirm}: at most 1,000 delivered events. */
  public record RelayConfirm(List<RelayDelivered> delivered) {}

  /** The answer of a confirm: how many conversations' checkpoints moved. */
  public record RelayConfirmed(int advanced) {}

  /** {@code POST /internal/v1/relay/advance}. */
  public record RelayAdvance(List<RelayProgress> progress) {}

  /** The answer of an advance: how many conversations it recorded. */
  public record RelayAdvanced(int recorded) {}
}
