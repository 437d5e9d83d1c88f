package io.messenger.history.event;

import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.Operation;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The durable write path: messages and operations get their seq here, are written to the log and
 * applied to the read tables before anyone is told. Every write is idempotent by (sender, client
 * id): a retry with the same content returns the original event ({@code created = false}); the same
 * id with other content is a 409.
 */
@Service
public class EventService {

  private final ConversationService conversations;
  private final EventLog log;
  private final ClientRequests requests;
  private final Projections projections;
  private final WriteProperties properties;
  private final Clock clock;

  EventService(
      ConversationService conversations,
      EventLog log,
      ClientRequests requests,
      Projections projections,
      WriteProperties properties,
      Clock clock) {
    this.conversations = conversations;
    this.log = log;
    this.requests = requests;
    this.projections = projections;
    this.properties = properties;
    this.clock = clock;
  }

  /** A durable event, who must hear of it, and whether this call wrote it. */
  public record Written(LoggedEvent event, List<UserId> recipients, boolean created) {}

  public Written sendMessage(ConversationId id, UserId sender, String clientMsgId, String text) {
    requireText(text);
    return write(
        id,
        sender,
        clientMsgId,
        "message",
        fingerprint("message", text),
        conversation -> {},
        now -> LoggedEvent.Draft.message(sender, clientMsgId, now, text),
        (conversation, event) -> conversations.members(id));
  }

  public Written operate(ConversationId id, UserId actor, String clientOpId, Operation op) {
    String text = op instanceof Operation.Edit edit ? edit.text() : "";
    if (op instanceof Operation.Edit edit) {
      requireText(edit.text());
    }
    return write(
        id,
        actor,
        clientOpId,
        "operation",
        fingerprint(op.type().wireName(), op.referencedSeq() + "\n" + text),
        conversation -> validate(conversation, actor, op),
        now -> LoggedEvent.Draft.operation(actor, clientOpId, now, op),
        (conversation, event) -> recipients(conversation, actor, op));
  }

  private interface Recipients {
    List<UserId> of(Conversation conversation, LoggedEvent event);
  }

  private interface Validation {
    void check(Conversation conversation);
  }

  private Written write(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      Validation validation,
      Function<Instant, LoggedEvent.Draft> draft,
      Recipients recipients) {
    Conversation conversation = conversations.requireMember(id, actor);
    Optional<ClientRequests.Request> known = requests.find(id, actor, clientId);
    if (known.isPresent()) {
      LoggedEvent original = replay(conversation, actor, clientId, kind, fingerprint, known.get());
      if (original != null) {
        return new Written(original, recipients.of(conversation, original), false);
      }
      validation.check(conversation);
    } else {
      validation.check(conversation);
      Optional<ClientRequests.Request> holder =
          requests.reserve(id, actor, clientId, kind, fingerprint, clock.instant());
      if (holder.isPresent()) {
        LoggedEvent original =
            replay(conversation, actor, clientId, kind, fingerprint, holder.get());
        if (original != null) {
          return new Written(original, recipients.of(conversation, original), false);
        }
      }
    }
    // Cassandra keeps milliseconds: so does the answer, so a retry returns the identical body.
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    LoggedEvent event = log.append(id, draft.apply(now), hint(conversation));
    requests.complete(id, actor, clientId, event.seq());
    projections.apply(event);
    return new Written(event, recipients.of(conversation, event), true);
  }

  /**
   * Handles a client id seen before: the original event (applied again, which is harmless and
   * repairs a write that failed after logging), or {@code null} when this request took over a stale
   * reservation under which nothing was logged and must now write the event itself.
   */
  private LoggedEvent replay(
      Conversation conversation,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      ClientRequests.Request request) {
    ConversationId id = conversation.id();
    if (!request.kind().equals(kind) || !request.fingerprint().equals(fingerprint)) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          ProblemType.IDEMPOTENCY_CONFLICT,
          "client id " + clientId + " was already used for different content");
    }
    if (request.completed()) {
      LoggedEvent original =
          log.find(id, request.seq())
              .orElseThrow(() -> new IllegalStateException("logged event missing: " + request));
      projections.apply(original);
      return original;
    }
    Instant now = clock.instant();
    if (request.reservedAt().plus(properties.lease()).isAfter(now)
        || !requests.takeOver(id, actor, clientId, request.reservedAt(), now)) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          ProblemType.REQUEST_IN_PROGRESS,
          "a request with this client id is still being processed",
          Duration.ofSeconds(1),
          null);
    }
    Optional<LoggedEvent> logged =
        log.findByClientId(
            id,
            actor,
            clientId,
            request.reservedAt().minus(properties.lease()),
            hint(conversation));
    if (logged.isEmpty()) {
      return null;
    }
    requests.complete(id, actor, clientId, logged.get().seq());
    projections.apply(logged.get());
    return logged.get();
  }

  private void validate(Conversation conversation, UserId actor, Operation op) {
    ConversationId id = conversation.id();
    if (op instanceof Operation.Read read) {
      if (read.upToSeq() > conversation.lastSeq()
          && read.upToSeq() > log.head(id, hint(conversation)).seq()) {
        throw ApiException.badRequest(
            ProblemType.INVALID_TARGET, "upToSeq " + read.upToSeq() + " is beyond the newest seq");
      }
      return;
    }
    LoggedEvent target =
        log.find(id, op.referencedSeq())
            .filter(LoggedEvent::isMessage)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        ProblemType.INVALID_TARGET,
                        "seq " + op.referencedSeq() + " is not a message of this conversation"));
    if (op.type() == OperationType.DELETE_FOR_ME) {
      return;
    }
    if (!target.actorId().equals(actor)) {
      throw new ApiException(
          HttpStatus.FORBIDDEN,
          ProblemType.NOT_SENDER,
          "only the sender of a message may " + op.type().wireName() + " it");
    }
    if (projections.isRecalled(target)) {
      throw new ApiException(
          HttpStatus.CONFLICT, ProblemType.ALREADY_RECALLED, "the message was recalled");
    }
    if (op.type() == OperationType.RECALL
        && target.at().plus(properties.recallWindow()).isBefore(clock.instant())) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          ProblemType.RECALL_WINDOW_EXPIRED,
          "messages can be recalled for " + properties.recallWindow() + " after sending");
    }
  }

  private List<UserId> recipients(Conversation conversation, UserId actor, Operation op) {
    return switch (op.type()) {
      case DELETE_FOR_ME -> List.of(actor);
      case RECALL, EDIT -> conversations.members(conversation.id());
      case READ ->
          conversation.type() == ConversationType.DIRECT
              ? conversations.members(conversation.id())
              : List.of(actor);
    };
  }

  private void requireText(String text) {
    if (text == null || text.isEmpty()) {
      throw ApiException.badRequest(ProblemType.VALIDATION, "text must not be empty");
    }
    if (text.length() > properties.maxTextLength()) {
      throw new ApiException(
          HttpStatus.CONTENT_TOO_LARGE,
          ProblemType.TEXT_TOO_LONG,
          "text is limited to " + properties.maxTextLength() + " characters");
    }
  }

  private static EventLog.Head hint(Conversation conversation) {
    return new EventLog.Head(conversation.lastSeq(), conversation.messageCount());
  }

  private static String fingerprint(String kind, String content) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(kind.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(content.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
