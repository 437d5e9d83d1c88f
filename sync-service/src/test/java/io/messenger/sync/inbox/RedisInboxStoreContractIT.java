package io.messenger.sync.inbox;

import io.messenger.model.UserId;
import io.messenger.sync.support.RedisExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

/** The {@link InboxStore} contract against the Redis store and a real Redis. */
class RedisInboxStoreContractIT extends InboxStoreContract {

  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  private final RedisInboxStore store =
      new RedisInboxStore(
          redis.redis(),
          JsonMapper.builder().build(),
          new InboxProperties(1000, Duration.ofDays(7), false),
          new SimpleMeterRegistry());

  @Override
  InboxStore store() {
    return store;
  }

  @Override
  UserId newUser() {
    return redis.newUser();
  }
}
