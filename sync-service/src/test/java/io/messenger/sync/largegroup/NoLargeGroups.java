package io.messenger.sync.largegroup;

import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.sync.inbox.LargeGroupState;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/** A {@link LargeGroupStore} for unit tests of users in no large group (extend it for others). */
public class NoLargeGroups implements LargeGroupStore {

  @Override
  public void opened(ConversationId id, long fromSeq, Collection<UserId> members) {}

  @Override
  public void joined(ConversationId id, long joinSeq, Collection<UserId> users) {}

  @Override
  public void left(ConversationId id, Collection<UserId> users) {}

  @Override
  public void closed(ConversationId id, long lastSeq) {}

  @Override
  public boolean advance(ConversationId id, long seq, Instant at) {
    return false;
  }

  @Override
  public boolean readDiffused(ConversationId id, long seq) {
    return false;
  }

  @Override
  public Pending pending(LargeGroupState state) {
    return Pending.NONE;
  }

  @Override
  public int ack(UserId user, DeviceId device, Map<ConversationId, Long> seqs) {
    return 0;
  }
}
