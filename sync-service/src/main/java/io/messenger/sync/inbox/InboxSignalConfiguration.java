package io.messenger.sync.inbox;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/** One subscription per instance to the inbox signal channel, feeding the long-poll registry. */
@Configuration(proxyBeanMethods = false)
class InboxSignalConfiguration {

  @Bean
  RedisMessageListenerContainer inboxSignalListener(
      RedisConnectionFactory connections, LongPollRegistry registry) {
    RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    container.setConnectionFactory(connections);
    container.addMessageListener(registry, new ChannelTopic(InboxStore.SIGNAL_CHANNEL));
    return container;
  }
}
