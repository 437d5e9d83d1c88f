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
import io.messenger.sync.history.HistoryApi.Outcome;
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
class ConversationController {

  private final ConversationService conversations;

  ConversationController(ConversationService conversations) {
    this.conversations = conversations;
  }

  @PostMapping("/v1/conversations")
  ResponseEntity<ConversationCreated> create(
      Caller caller, @RequestBody CreateConversation request) {
    return answer(conversations.create(caller.userId(), request));
  }

  @PostMapping("/v1/conversations/{cid}/members")
  ResponseEntity<MembersChanged> changeMembers(
      Caller caller, @PathVariable String cid, @RequestBody ChangeMembers request) {
    return ResponseEntity.ok(
        conversations.changeMembers(caller.userId(), ConversationId.of(cid), request));
  }

  @PostMapping("/v1/conversations/{cid}/messages")
  ResponseEntity<MessageAccepted> send(
      Caller caller, @PathVariable String cid, @RequestBody SendMessage request) {
    return answer(conversations.send(caller.userId(), ConversationId.of(cid), request));
  }

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
