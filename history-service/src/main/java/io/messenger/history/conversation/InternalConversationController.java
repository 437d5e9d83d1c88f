package io.messenger.history.conversation;

import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.UserId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Conversation writes the sync-service makes on behalf of clients (service token only). */
@RestController
@Tag(name = "internal", description = "The write API of the sync-service (service tokens only)")
@RequestMapping("/internal/v1/conversations")
class InternalConversationController {

  private final ConversationService conversations;

  InternalConversationController(ConversationService conversations) {
    this.conversations = conversations;
  }

  record CreateRequest(
      @NotNull ConversationType type,
      @NotNull @Size(min = 1, max = 100_000) List<@NotNull UserId> members,
      String title,
      @NotNull UserId createdBy,
      @Pattern(regexp = "[A-Za-z0-9_-]{1,64}") String clientRequestId) {}

  /** A created conversation; {@code large}: a large group (read diffusion) from its creation. */
  record ConversationView(
      ConversationId conversationId,
      ConversationType type,
      String title,
      List<UserId> members,
      Instant createdAt,
      UserId createdBy,
      boolean large) {}

  record MembersRequest(
      @NotNull UserId actorId,
      @Size(max = 100_000) List<@NotNull UserId> add,
      @Size(max = 100_000) List<@NotNull UserId> remove) {}

  /** See {@link ConversationService.MembersChanged} for the last five fields. */
  record MembersView(
      ConversationId conversationId,
      ConversationType type,
      String title,
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
  ResponseEntity<ConversationView> create(@Valid @RequestBody CreateRequest request) {
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
            new ConversationView(
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
  MembersView members(
      @PathVariable ConversationId conversationId, @Valid @RequestBody MembersRequest request) {
    ConversationService.MembersChanged change =
        conversations.changeMembers(
            conversationId,
            request.actorId(),
            request.add() == null ? List.of() : request.add(),
            request.remove() == null ? List.of() : request.remove());
    Conversation c = change.conversation();
    return new MembersView(
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
