package io.messenger.history.write;

import io.messenger.model.ConversationId;
import io.messenger.model.Message;
import io.messenger.model.Operation;
import io.messenger.model.OperationEvent;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import java.time.Instant;

/**
 * One event of a conversation's log: a message, an operation or a membership change, at its seq.
 *
 * @param clientId the client's id of a message or operation; the change id of a membership change
 * @param msgNo the number of messages before this event; for a message that is its 0-based ordinal
 *     among the conversation's messages, which picks its page bucket
 * @param large whether the group was a large group (read diffusion) when the event was written;
 *     {@code null} for events written before the mode was recorded with them (V007)
 */
public record LoggedEvent(
    ConversationId conversationId,
    long seq,
    EventKind kind,
    UserId actorId,
    String clientId,
    Instant at,
    String text,
    OperationType opType,
    long refSeq,
    long msgNo,
    Boolean large) {

  /** What an event is. */
  public enum EventKind {
    MESSAGE,
    OPERATION,
    /**
     * Members added and/or removed; who is in {@code member_change_names} under the change id (not
     * in the log row, which a consensus round's batch carries and must stay small).
     */
    MEMBERS
  }

  public boolean isMessage() {
    return kind == EventKind.MESSAGE;
  }

  public boolean isOperation() {
    return kind == EventKind.OPERATION;
  }

  /** The mode the event was written in, or {@code current} when it was not recorded. */
  public boolean largeOr(boolean current) {
    return large == null ? current : large;
  }

  public Message toMessage() {
    return new Message(conversationId, seq, actorId, at, clientId, text);
  }

  public OperationEvent toOperation() {
    Long ref = refSeq;
    return new OperationEvent(
        conversationId,
        seq,
        actorId,
        at,
        clientId,
        Operation.of(opType, ref, ref, opType == OperationType.EDIT ? text : null));
  }

  /** An event before it has a seq. */
  public record Draft(
      EventKind kind,
      UserId actorId,
      String clientId,
      Instant at,
      String text,
      OperationType opType,
      long refSeq,
      Boolean large) {

    public static Draft message(UserId sender, String clientMsgId, Instant at, String text) {
      return new Draft(EventKind.MESSAGE, sender, clientMsgId, at, text, null, 0, null);
    }

    static Draft operation(UserId actor, String clientOpId, Instant at, Operation op) {
      String text = op instanceof Operation.Edit edit ? edit.text() : null;
      return new Draft(
          EventKind.OPERATION, actor, clientOpId, at, text, op.type(), op.referencedSeq(), null);
    }

    static Draft members(UserId actor, String changeId, Instant at, boolean large) {
      return new Draft(EventKind.MEMBERS, actor, changeId, at, null, null, 0, large);
    }

    /** The same draft, stamped with the time the write is logged. */
    Draft stampedAt(Instant time) {
      return new Draft(kind, actorId, clientId, time, text, opType, refSeq, large);
    }

    /** The same draft, written while the group is (or is not) a large group. */
    Draft inMode(boolean largeGroup) {
      return new Draft(kind, actorId, clientId, at, text, opType, refSeq, largeGroup);
    }

    LoggedEvent at(ConversationId conversationId, long seq, long msgNo) {
      return new LoggedEvent(
          conversationId, seq, kind, actorId, clientId, at, text, opType, refSeq, msgNo, large);
    }
  }
}
