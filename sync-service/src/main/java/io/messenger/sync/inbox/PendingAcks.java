package io.messenger.sync.inbox;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;

/** Acks received on this instance but not yet written to the store. */
public interface PendingAcks {

  /** The device's newest unflushed ack, or {@code null}. */
  InboxCursor pending(UserId user, DeviceId device);

  /** No acks are held back (tests, or a store written through). */
  PendingAcks NONE = (user, device) -> null;
}
