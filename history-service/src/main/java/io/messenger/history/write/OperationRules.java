package io.messenger.history.write;

import io.messenger.history.conversation.Conversation;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.Operation;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The rules of operations (docs/architecture.md, "The path of an operation"): which targets an
 * operation may name and who may apply it, checked before anything is logged, and who must hear of
 * it. Used by the write path and by the delivery relay, so both address the same inboxes.
 */
@Component
public class OperationRules {

  private final EventLog log;
  private final Projections projections;
  private final WriteProperties properties;
  private final Clock clock;

  OperationRules(EventLog log, Projections projections, WriteProperties properties, Clock clock) {
    this.log = log;
    this.projections = projections;
    this.properties = properties;
    this.clock = clock;
  }

  /** Refuses {@code op} by {@code actor} with the problem the API documents, or returns. */
  void validate(Conversation conversation, UserId actor, Operation op, EventLog.Head hint) {
    ConversationId id = conversation.id();
    if (op instanceof Operation.Read read) {
      if (read.upToSeq() > conversation.lastSeq() && read.upToSeq() > log.head(id, hint).seq()) {
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

  /**
   * Whether every member must hear of {@code event}: a message, an edit, a recall, or a read
   * receipt of a direct conversation. In a large group these are what read diffusion carries (the
   * group's head moves), and nothing is written to members' inboxes.
   */
  public static boolean reachesAllMembers(ConversationType type, LoggedEvent event) {
    if (event.isMessage()) {
      return true;
    }
    if (!event.isOperation()) {
      return false; // a membership change: its notifications go out with the change
    }
    return switch (event.opType()) {
      case DELETE_FOR_ME -> false;
      case RECALL, EDIT -> true;
      case READ -> type == ConversationType.DIRECT;
    };
  }

  /** Whether the recipients of operations of this type are all members (else fewer). */
  static boolean needsAllMembers(OperationType type) {
    return type == OperationType.RECALL || type == OperationType.EDIT;
  }

  /**
   * Who must find {@code event} in their inbox besides the actor's own devices: every member for a
   * message, an edit, a recall and a read receipt of a direct conversation; only the actor for a
   * delete-for-me and a read marker in a group.
   */
  public static List<UserId> recipients(
      ConversationType type, LoggedEvent event, Supplier<List<UserId>> members) {
    if (event.isMessage()) {
      return members.get();
    }
    if (!event.isOperation()) {
      return List.of(); // a membership change: its notifications go out with the change
    }
    return switch (event.opType()) {
      case DELETE_FOR_ME -> List.of(event.actorId());
      case RECALL, EDIT -> members.get();
      case READ -> type == ConversationType.DIRECT ? members.get() : List.of(event.actorId());
    };
  }
}
