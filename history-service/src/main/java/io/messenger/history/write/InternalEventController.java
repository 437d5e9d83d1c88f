package io.messenger.history.write;

import io.messenger.model.ConversationId;
import io.messenger.model.Operation;
import io.messenger.model.internal.HistoryApi.ApplyOperation;
import io.messenger.model.internal.HistoryApi.MessageSent;
import io.messenger.model.internal.HistoryApi.OperationApplied;
import io.messenger.model.internal.HistoryApi.SendMessage;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The write API the sync-service calls (service token only): messages and operations become durable
 * here. 201 for a new event, 200 for a retry of an earlier one (same body). The bodies are {@link
 * io.messenger.model.internal.HistoryApi}'s, shared with the sync-service's client.
 */
@RestController
@Tag(name = "internal", description = "The write API of the sync-service (service tokens only)")
@RequestMapping("/internal/v1/conversations/{conversationId}")
class InternalEventController {

  private final EventService events;

  InternalEventController(EventService events) {
    this.events = events;
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary = "Store a message (idempotent by sender and clientMsgId)")
  @ApiResponse(responseCode = "201", description = "Stored", useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "200",
      description = "A retry: the original message",
      useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "409",
      description = "The clientMsgId was used for different content (idempotency-conflict)")
  @PostMapping("/messages")
  ResponseEntity<MessageSent> send(
      @PathVariable ConversationId conversationId, @Valid @RequestBody SendMessage request) {
    EventService.Written written =
        events.sendMessage(
            conversationId, request.senderId(), request.clientMsgId(), request.text());
    return ResponseEntity.status(written.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(
            new MessageSent(
                written.event().toMessage(), written.recipients(), written.largeGroup()));
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary = "Apply an operation (idempotent by actor and clientOpId)")
  @ApiResponse(responseCode = "201", description = "Applied", useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "200",
      description = "A retry: the original event",
      useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "403",
      description = "Only the sender may edit or recall a message (not-sender)")
  @ApiResponse(
      responseCode = "409",
      description = "Idempotency conflict, already recalled, or recall window expired")
  @PostMapping("/operations")
  ResponseEntity<OperationApplied> operate(
      @PathVariable ConversationId conversationId, @Valid @RequestBody ApplyOperation request) {
    Operation op =
        Operation.of(request.type(), request.targetSeq(), request.upToSeq(), request.text());
    EventService.Written written =
        events.operate(conversationId, request.actorId(), request.clientOpId(), op);
    return ResponseEntity.status(written.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(
            new OperationApplied(
                written.event().toOperation(), written.recipients(), written.largeGroup()));
  }
}
