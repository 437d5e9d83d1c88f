package io.messenger.sync.inbox;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The Redis inbox store for tests of other packages (the store itself is package-private). */
public final class RedisInboxStores {

  private RedisInboxStores() {}

  public static InboxStore on(StringRedisTemplate redis, InboxProperties properties) {
    return new RedisInboxStore(
        redis, JsonMapper.builder().build(), properties, new SimpleMeterRegistry());
  }
}
