package io.messenger.history.write;

import io.messenger.model.ConversationId;
import io.messenger.model.Message;
import io.messenger.model.Operation;
import io.messenger.model.OperationEvent;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import java.time.Instant;

/**
 * One event of a conversation's log: a message or an operation, at its seq.
 *
 * @param msgNo the number of messages before this event; for a message that is its 0-based ordinal
 *     among the conversation's messages, which picks its page bucket
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
    long msgNo) {

  /** What an event is. */
  public enum EventKind {
    MESSAGE,
    OPERATION
  }

  public boolean isMessage() {
    return kind == EventKind.MESSAGE;
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
      long refSeq) {

    public static Draft message(UserId sender, String clientMsgId, Instant at, String text) {
      return new Draft(EventKind.MESSAGE, sender, clientMsgId, at, text, null, 0);
    }

    static Draft operation(UserId actor, String clientOpId, Instant at, Operation op) {
      String text = op instanceof Operation.Edit edit ? edit.text() : null;
      return new Draft(
          EventKind.OPERATION, actor, clientOpId, at, text, op.type(), op.referencedSeq());
    }

    /** The same draft, stamped with the time the write is logged. */
    Draft stampedAt(Instant time) {
      return new Draft(kind, actorId, clientId, time, text, opType, refSeq);
    }

    LoggedEvent at(ConversationId conversationId, long seq, long msgNo) {
      return new LoggedEvent(
          conversationId, seq, kind, actorId, clientId, at, text, opType, refSeq, msgNo);
    }
  }
}
