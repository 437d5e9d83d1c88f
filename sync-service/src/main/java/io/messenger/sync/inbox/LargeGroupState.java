package io.messenger.sync.inbox;

import io.messenger.model.ConversationId;
import java.util.Map;

/**
 * The pulling device's side of the large-group index, read by the pull's own script (its keys are
 * on the user's slot, {@link UserKeys}): what the news in each of the user's large groups is
 * measured from. The groups' heads, on other slots, are read afterwards, and only for a user in
 * some large group ({@code LargeGroupStore.pending}).
 *
 * @param joined each large group of the user ({@code lg:{U}}) and the seq the user joined it at (0:
 *     a member when the group became large)
 * @param acked each large group the device acknowledged ({@code lg-ack:{U}:<deviceId>}) and the seq
 *     it acknowledged; read only when the user is in some large group
 */
public record LargeGroupState(Map<ConversationId, Long> joined, Map<ConversationId, Long> acked) {

  /** A user in no large group. */
  public static final LargeGroupState NONE = new LargeGroupState(Map.of(), Map.of());

  public LargeGroupState {
    joined = Map.copyOf(joined);
    acked = Map.copyOf(acked);
  }
}
