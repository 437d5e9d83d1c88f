package io.messenger.sync.notification;

import io.messenger.model.InboxItem;
import io.messenger.model.SystemNotification;
import io.messenger.model.UserId;
import io.messenger.sync.inbox.InboxService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /internal/v1/users/{userId}/notifications} (service tokens only): a notification of
 * another back-end service lands in the user's inbox as a {@code system} entry. 201 when appended,
 * 200 when that {@code notificationId} was already delivered.
 */
@RestController
@Tag(name = "internal", description = "Service-to-service API (service tokens only)")
class NotificationController {

  /** The body; the model's {@link SystemNotification.Custom} validates each field. */
  record NotifyRequest(String notificationId, String type, Map<String, Object> payload) {}

  /** The answer; {@code created} is false for a repeat of a delivered notification. */
  record Notified(String userId, String notificationId, boolean created) {}

  private final InboxService inbox;
  private final Clock clock;

  NotificationController(InboxService inbox, Clock clock) {
    this.inbox = inbox;
    this.clock = clock;
  }

  @Operation(
      summary = "Deliver a notification of another back-end service to a user's inbox",
      description =
          "A system entry in that user's inbox only (not history). Idempotent by notificationId.")
  @ApiResponse(responseCode = "201", description = "Delivered", useReturnTypeSchema = true)
  @ApiResponse(
      responseCode = "200",
      description = "This notificationId was already delivered",
      useReturnTypeSchema = true)
  @PostMapping("/internal/v1/users/{userId}/notifications")
  ResponseEntity<Notified> notify(@PathVariable String userId, @RequestBody NotifyRequest request) {
    UserId user = UserId.of(userId);
    if (request == null) {
      throw new IllegalArgumentException("a body {notificationId, type, payload} is required");
    }
    SystemNotification.Custom notification =
        new SystemNotification.Custom(request.notificationId(), request.type(), request.payload());
    InboxItem.SystemItem item =
        new InboxItem.SystemItem(
            notification.notificationId(), null, clock.instant(), notification);
    boolean delivered = !inbox.deliver(List.of(user), item).isEmpty();
    return ResponseEntity.status(delivered ? HttpStatus.CREATED : HttpStatus.OK)
        .body(new Notified(user.value(), notification.notificationId(), delivered));
  }
}
