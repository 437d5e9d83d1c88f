package io.messenger.history.conversation;

import io.messenger.model.ConversationId;
import io.messenger.model.internal.HistoryApi;
import io.swagger.v3.oas.annotations.Operation;
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
 * Conversation writes the sync-service makes on behalf of clients (service token only), with the
 * bodies of {@link HistoryApi}.
 */
@RestController
@Tag(name = "internal", description = "The write API of the sync-service (service tokens only)")
@RequestMapping("/internal/v1/conversations")
class InternalConversationController {

  private final ConversationService conversations;

  InternalConversationController(ConversationService conversations) {
    this.conversations = conversations;
  }

  @Operation(summary = "Create a conversation (a direct one only once per pair)")
  @ApiResponse(responseCode = "201", description = "Created", useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "200",
      description =
          "The direct conversation of this pair already existed, or a repeat of a creation with"
              + " the same clientRequestId and content",
      useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "409",
      description = "The clientRequestId was used for other content (idempotency-conflict)")
  @PostMapping
  ResponseEntity<HistoryApi.Conversation> create(
      @Valid @RequestBody HistoryApi.CreateConversation request) {
    ConversationService.Created result =
        conversations.create(
            request.type(),
            request.members(),
            request.title(),
            request.createdBy(),
            request.clientRequestId());
    Conversation c = result.conversation();
    return ResponseEntity.status(result.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(
            new HistoryApi.Conversation(
                c.id(),
                c.type(),
                c.title(),
                result.members(),
                c.createdAt(),
                c.createdBy(),
                c.large()));
  }

  @Operation(summary = "Add or remove group members")
  @ApiResponse(responseCode = "200", description = "The members after the change")
  @PostMapping("/{conversationId}/members")
  HistoryApi.MembersChanged members(
      @PathVariable ConversationId conversationId,
      @Valid @RequestBody HistoryApi.ChangeMembers request) {
    ConversationService.MembersChanged change =
        conversations.changeMembers(
            conversationId, request.actorId(), request.add(), request.remove());
    Conversation c = change.conversation();
    return new HistoryApi.MembersChanged(
        c.id(),
        c.type(),
        c.title(),
        change.members(),
        change.added(),
        change.removed(),
        change.changeId(),
        change.at(),
        change.memberCount(),
        change.wasLarge(),
        change.large(),
        change.lastSeq(),
        change.seq());
  }
}
