package io.messenger.sync.inbox.longpoll;

import io.messenger.sync.SyncExecutors;
import io.messenger.sync.inbox.InboxStore;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * One subscription per instance (on a Redis Cluster: one per shard channel, {@link
 * ShardedNewsSubscriber}) to the inbox news and signal channels, feeding the long-poll registry.
 * Messages are handed over on one thread, in order: the registry answers there only what needs no
 * store call (a non-blocking write) and moves the rest to its wakers. (The container's default
 * executor would start a thread per message: a send to a group of 1,000 publishes 1,000 of them.)
 */
@Configuration(proxyBeanMethods = false)
class InboxSignalConfiguration {

  @Bean
  RedisMessageListenerContainer inboxSignalListener(
      RedisConnectionFactory connections, LongPollRegistry registry, SyncExecutors executors) {
    RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    container.setConnectionFactory(connections);
    container.setTaskExecutor(executors.single("inbox-signal"));
    container.addMessageListener(
        registry,
        List.of(
            new ChannelTopic(InboxStore.NEWS_CHANNEL),
            new ChannelTopic(InboxStore.SIGNAL_CHANNEL)));
    return container;
  }

  /** On a Redis Cluster, the news comes over sharded pub/sub instead (nothing on one Redis). */
  @Bean
  ShardedNewsSubscriber shardedInboxNews(
      RedisConnectionFactory connections, LongPollRegistry registry, SyncExecutors executors) {
    return new ShardedNewsSubscriber(
        connections, registry, executors.scheduler("inbox-news-subscriber"));
  }
}
