package io.messenger.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What an operation does, without who made it or when (see {@link OperationEvent}). Each variant
 * validates its own fields; on the wire the variant is named by {@code type}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Operation.DeleteForMe.class, name = "delete_for_me"),
  @JsonSubTypes.Type(value = Operation.Recall.class, name = "recall"),
  @JsonSubTypes.Type(value = Operation.Edit.class, name = "edit"),
  @JsonSubTypes.Type(value = Operation.Read.class, name = "read")
})
public sealed interface Operation {

  /** The operation's type, as named on the wire. */
  @JsonIgnore
  OperationType type();

  /** The message seq the operation refers to: the target, or the read marker. */
  @JsonIgnore
  long referencedSeq();

  /** Builds the operation of {@code type} from the loose fields of a request. */
  static Operation of(OperationType type, Long targetSeq, Long upToSeq, String text) {
    return switch (type) {
      case DELETE_FOR_ME -> new DeleteForMe(required("targetSeq", targetSeq));
      case RECALL -> new Recall(required("targetSeq", targetSeq));
      case EDIT -> new Edit(required("targetSeq", targetSeq), text);
      case READ -> new Read(required("upToSeq", upToSeq));
    };
  }

  private static long required(String field, Long value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  /** Hides message {@code targetSeq} for the acting user only. */
  record DeleteForMe(long targetSeq) implements Operation {
    public DeleteForMe {
      Limits.requireSeq("targetSeq", targetSeq);
    }

    @Override
    public OperationType type() {
      return OperationType.DELETE_FOR_ME;
    }

    @Override
    public long referencedSeq() {
      return targetSeq;
    }
  }

  /** Turns message {@code targetSeq} into a tombstone for everyone. */
  record Recall(long targetSeq) implements Operation {
    public Recall {
      Limits.requireSeq("targetSeq", targetSeq);
    }

    @Override
    public OperationType type() {
      return OperationType.RECALL;
    }

    @Override
    public long referencedSeq() {
      return targetSeq;
    }
  }

  /** Replaces the text of message {@code targetSeq}. */
  record Edit(long targetSeq, String text) implements Operation {
    public Edit {
      Limits.requireSeq("targetSeq", targetSeq);
      Limits.requireText("text", text);
    }

    @Override
    public OperationType type() {
      return OperationType.EDIT;
    }

    @Override
    public long referencedSeq() {
      return targetSeq;
    }
  }

  /** Marks everything up to and including {@code upToSeq} as read by the acting user. */
  record Read(long upToSeq) implements Operation {
    public Read {
      Limits.requireSeq("upToSeq", upToSeq);
    }

    @Override
    public OperationType type() {
      return OperationType.READ;
    }

    @Override
    public long referencedSeq() {
      return upToSeq;
    }
  }
}
