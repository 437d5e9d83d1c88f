package io.messenger.history.conversation;

import io.messenger.model.UserId;
import java.time.Instant;

/**
 * Where membership changes become events of the conversation's log, each with its seq (implemented
 * by the write side, {@code io.messenger.history.write.MembershipEvents}).
 */
public interface MembershipLog {

  /** The client id a change is logged under: no client's id can take this form (':' is refused). */
  static String clientIdOf(String changeId) {
    return "members:" + changeId;
  }

  /** The change id of a membership event's client id. */
  static String changeIdOf(String clientId) {
    return clientId.substring("members:".length());
  }

  /**
   * Logs the change {@code changeId} by {@code actor} (once: again it answers the same seq) and
   * applies it to the read tables; returns its seq.
   *
   * @param conversation the conversation row as read before the change (its head is the hint)
   * @param large the group's mode after the change
   */
  long logged(Conversation conversation, UserId actor, String changeId, Instant at, boolean large);
}
