package io.messenger.sync.inbox;

import io.messenger.model.UserId;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link InboxStore} contract against the unit tests' in-memory fake. */
class InMemoryInboxStoreTest extends InboxStoreContract {

  private final InMemoryInboxStore store = new InMemoryInboxStore();
  private final AtomicInteger users = new AtomicInteger();

  @Override
  InboxStore store() {
    return store;
  }

  @Override
  UserId newUser() {
    return UserId.of("u" + users.incrementAndGet());
  }
}
