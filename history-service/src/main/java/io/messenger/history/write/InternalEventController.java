package io.messenger.history.write;

import io.messenger.model.ConversationId;
import io.messenger.model.Message;
import io.messenger.model.Operation;
import io.messenger.model.OperationEvent;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The write API the sync-service calls (service token only): messages and operations become durable
 * here. 201 for a new event, 200 for a retry of an earlier one (same body).
 */
@RestController
@Tag(name = "internal", description = "The write API of the sync-service (service tokens only)")
@RequestMapping("/internal/v1/conversations/{conversationId}")
class InternalEventController {

  private static final String CLIENT_ID = "[A-Za-z0-9_.:-]{1,64}";

  private final EventService events;

  InternalEventController(EventService events) {
    this.events = events;
  }

  record SendRequest(
      @NotNull UserId senderId,
      @NotNull @Pattern(regexp = CLIENT_ID) String clientMsgId,
      @NotNull String text) {}

  /**
   * @param recipients whose inboxes get the message
   * @param largeGroup the message is for every member of a large group: no inbox gets it, the
   *     group's head moves instead (read diffusion)
   */
  record SendResponse(Message message, List<UserId> recipients, boolean largeGroup) {}

  record OperationRequest(
      @NotNull UserId actorId,
      @NotNull @Pattern(regexp = CLIENT_ID) String clientOpId,
      @NotNull OperationType type,
      Long targetSeq,
      Long upToSeq,
      String text) {}

  /** See {@link SendResponse} for {@code recipients} and {@code largeGroup}. */
  record OperationResponse(OperationEvent event, List<UserId> recipients, boolean largeGroup) {}

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
  ResponseEntity<SendResponse> send(
      @PathVariable ConversationId conversationId, @Valid @RequestBody SendRequest request) {
    EventService.Written written =
        events.sendMessage(
            conversationId, request.senderId(), request.clientMsgId(), request.text());
    return ResponseEntity.status(written.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(
            new SendResponse(
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
  ResponseEntity<OperationResponse> operate(
      @PathVariable ConversationId conversationId, @Valid @RequestBody OperationRequest request) {
    Operation op =
        Operation.of(request.type(), request.targetSeq(), request.upToSeq(), request.text());
    EventService.Written written =
        events.operate(conversationId, request.actorId(), request.clientOpId(), op);
    return ResponseEntity.status(written.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(
            new OperationResponse(
                written.event().toOperation(), written.recipients(), written.largeGroup()));
  }
}
