package io.messenger.sync.conversation;

import io.messenger.model.ConversationId;
import io.messenger.support.security.Caller;
import io.messenger.sync.conversation.ConversationRequests.ApplyOperation;
import io.messenger.sync.conversation.ConversationRequests.ChangeMembers;
import io.messenger.sync.conversation.ConversationRequests.ConversationCreated;
import io.messenger.sync.conversation.ConversationRequests.CreateConversation;
import io.messenger.sync.conversation.ConversationRequests.MembersChanged;
import io.messenger.sync.conversation.ConversationRequests.MessageAccepted;
import io.messenger.sync.conversation.ConversationRequests.OperationAccepted;
import io.messenger.sync.conversation.ConversationRequests.SendMessage;
import io.messenger.sync.history.Outcome;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Every client write: conversations, members, messages and operations. 201 when the write is new,
 * 200 when it repeats an earlier one (same client id and content).
 */
@RestController
@Tag(
    name = "writes",
    description = "Every client write: conversations, members, messages, operations")
class ConversationController {

  private final ConversationService conversations;

  ConversationController(ConversationService conversations) {
    this.conversations = conversations;
  }

  @Operation(
      summary = "Create a conversation",
      description =
          "The caller is a member. A direct conversation between the same two users is created"
              + " once; a second call returns it (200). A group created with a clientRequestId"
              + " is created once per caller and id: a retry with the same content returns it"
              + " (200, same body), other content is a 409. Every member's inbox gets a"
              + " conversation.created system entry.")
  @ApiResponse(responseCode = "201", description = "Created", useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "200",
      description =
          "The direct conversation between these two users already existed, or a retry of a"
              + " group creation with the same clientRequestId and content",
      useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "400",
      description =
          "Invalid type, members, title or clientRequestId, or too many members"
              + " (group-too-large)")
  @ApiResponse(
      responseCode = "409",
      description = "The clientRequestId was used for other content (idempotency-conflict)")
  @PostMapping("/v1/conversations")
  ResponseEntity<ConversationCreated> create(
      Caller caller, @RequestBody CreateConversation request) {
    return answer(conversations.create(caller.userId(), request));
  }

  @Operation(
      summary = "Add or remove group members",
      description = "Members' inboxes get member.added / member.removed system entries.")
  @ApiResponse(responseCode = "200", description = "The members after the change")
  @ApiResponse(
      responseCode = "400",
      description = "Invalid ids, a direct conversation, or too many members (group-too-large)")
  @ApiResponse(
      responseCode = "404",
      description = "No such conversation with the caller as a member (conversation-not-found)")
  @PostMapping("/v1/conversations/{cid}/members")
  ResponseEntity<MembersChanged> changeMembers(
      Caller caller, @PathVariable String cid, @RequestBody ChangeMembers request) {
    return ResponseEntity.ok(
        conversations.changeMembers(caller.userId(), ConversationId.of(cid), request));
  }

  @Operation(
      summary = "Send a message",
      description =
          "Durable in the history before the answer; every member's inbox (the sender's too)"
              + " gets a message entry. Idempotent by (sender, clientMsgId).")
  @ApiResponse(responseCode = "201", description = "Sent", useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "200",
      description = "A retry of the same clientMsgId with the same text: the original result",
      useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "404",
      description = "No such conversation with the caller as a member (conversation-not-found)")
  @ApiResponse(
      responseCode = "409",
      description = "The clientMsgId was used for different content (idempotency-conflict)")
  @ApiResponse(
      responseCode = "413",
      description = "The text is longer than allowed (text-too-long) or the body too large")
  @PostMapping("/v1/conversations/{cid}/messages")
  ResponseEntity<MessageAccepted> send(
      Caller caller, @PathVariable String cid, @RequestBody SendMessage request) {
    return answer(conversations.send(caller.userId(), ConversationId.of(cid), request));
  }

  @Operation(
      summary = "Apply an operation",
      description =
          "delete_for_me (targetSeq), recall (targetSeq, sender only, within the recall window),"
              + " edit (targetSeq, text, sender only) or read (upToSeq). Gets its own seq."
              + " Idempotent by (caller, clientOpId).")
  @ApiResponse(responseCode = "201", description = "Applied", useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "200",
      description = "A retry of the same clientOpId with the same content: the original result",
      useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "400",
      description =
          "Invalid fields, or a target that is not a message of this conversation (invalid-target)")
  @ApiResponse(
      responseCode = "403",
      description = "Only the sender may edit or recall a message (not-sender)")
  @ApiResponse(
      responseCode = "404",
      description = "No such conversation with the caller as a member (conversation-not-found)")
  @ApiResponse(
      responseCode = "409",
      description =
          "The clientOpId was used for different content (idempotency-conflict), the message was recalled (already-recalled) or the recall window passed (recall-window-expired)")
  @ApiResponse(
      responseCode = "413",
      description = "The edit text is longer than allowed (text-too-long) or the body too large")
  @PostMapping("/v1/conversations/{cid}/operations")
  ResponseEntity<OperationAccepted> operate(
      Caller caller, @PathVariable String cid, @RequestBody ApplyOperation request) {
    return answer(conversations.operate(caller.userId(), ConversationId.of(cid), request));
  }

  private static <T> ResponseEntity<T> answer(Outcome<T> outcome) {
    return ResponseEntity.status(outcome.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(outcome.body());
  }
}
