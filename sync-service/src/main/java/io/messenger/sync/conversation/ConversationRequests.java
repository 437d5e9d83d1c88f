package io.messenger.sync.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.List;

/** Request and response bodies of the public write endpoints. */
final class ConversationRequests {

  private ConversationRequests() {}

  /** {@code POST /v1/conversations}: {@code type} is {@code direct} or {@code group}. */
  /**
   * {@code POST /v1/conversations}. {@code clientRequestId} (optional, {@code [A-Za-z0-9_-]{1,64}},
   * scoped to the caller) makes a group creation idempotent.
   */
  record CreateConversation(
      String type, List<String> members, String title, String clientRequestId) {}

  @JsonInclude(JsonInclude.Include.ALWAYS)
  record ConversationCreated(
      ConversationId conversationId,
      ConversationType type,
      String title,
      List<UserId> members,
      Instant createdAt) {}

  /** {@code POST /v1/conversations/{cid}/members}. */
  record ChangeMembers(List<String> add, List<String> remove) {}

  /**
   * The answer of a membership change: {@code members} lists at most the first 100 by id for a
   * large group (the members endpoint pages them all), {@code memberCount} how many there are.
   */
  record MembersChanged(
      ConversationId conversationId,
      ConversationType type,
      String title,
      List<UserId> members,
      List<UserId> added,
      List<UserId> removed,
      int memberCount) {}

  /** {@code POST /v1/conversations/{cid}/messages}. */
  record SendMessage(String clientMsgId, String text) {}

  record MessageAccepted(
      ConversationId conversationId,
      long seq,
      UserId senderId,
      Instant sentAt,
      String clientMsgId) {}

  /** {@code POST /v1/conversations/{cid}/operations}. */
  record ApplyOperation(
      String clientOpId, String type, Long targetSeq, Long upToSeq, String text) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record OperationAccepted(
      ConversationId conversationId,
      long seq,
      String type,
      Long targetSeq,
      Long upToSeq,
      String text) {}
}
