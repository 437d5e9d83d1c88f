package io.messenger.sync.largegroup;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.sync.RedisCalls;
import io.messenger.sync.inbox.InboxProperties;
import io.messenger.sync.inbox.InboxStore;
import io.messenger.sync.inbox.LargeGroupNews;
import io.messenger.sync.inbox.LargeGroupState;
import io.messenger.sync.inbox.NewsChannels;
import io.messenger.sync.inbox.UserKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * {@link LargeGroupStore} on Redis: {@code lg-head:{<cid>}} (STRING), {@code lg:{<userId>}} and
 * {@code lg-ack:{<userId>}:<deviceId>} (HASHes), each with one hash tag, so no command or script
 * touches two users' or two groups' slots. Contents, bounds and TTLs: {@code docs/data-layout.md},
 * "Large groups (read diffusion)".
 *
 * <p>A pull reads the user's groups and the device's acks in its own script ({@code pull.lua}, the
 * keys share the user's slot: {@link LargeGroupState}), so a user in no large group pays nothing
 * more; in {@code L} groups, one {@code MGET} of {@code L} heads (on a cluster, split by slot by
 * the client): O(L) small reads whatever the groups' sizes and traffic. News is announced with the
 * inbox news ({@code #lg\n<cid>\n<seq>}, on the shard channel of the group's slot on a cluster).
 */
@Component
class RedisLargeGroupStore implements LargeGroupStore {

  static final String NEWS_PREFIX = "#lg\n";

  private static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private final StringRedisTemplate redis;
  private final boolean cluster;
  private final Duration commandTimeout;
  private final Duration retention;
  private final RedisScript<Long> open = script("lg_open", Long.class);
  private final RedisScript<Long> close = script("lg_close", Long.class);
  private final RedisScript<Long> advance = script("lg_advance", Long.class);
  private final RedisScript<Long> ackScript = script("lg_ack", Long.class);

  RedisLargeGroupStore(StringRedisTemplate redis, InboxProperties inbox) {
    this.redis = redis;
    this.cluster =
        redis.getConnectionFactory() instanceof LettuceConnectionFactory lettuce
            && lettuce.isClusterAware();
    this.commandTimeout =
        redis.getConnectionFactory() instanceof LettuceConnectionFactory lettuce
            ? lettuce.getClientConfiguration().getCommandTimeout()
            : DEFAULT_COMMAND_TIMEOUT;
    this.retention = inbox.retention();
  }

  static String headKey(ConversationId id) {
    return "lg-head:{" + id.value() + "}";
  }

  @Override
  public void opened(ConversationId id, long fromSeq, Collection<UserId> members) {
    redis.execute(open, List.of(headKey(id)), Long.toString(fromSeq));
    forEachUser(
        members,
        (commands, user) ->
            commands.hsetnx(bytes(UserKeys.largeGroups(user)), bytes(id.value()), bytes("0")));
  }

  @Override
  public void joined(ConversationId id, long joinSeq, Collection<UserId> users) {
    forEachUser(
        users,
        (commands, user) ->
            commands.hset(
                bytes(UserKeys.largeGroups(user)),
                bytes(id.value()),
                bytes(Long.toString(joinSeq))));
  }

  @Override
  public void left(ConversationId id, Collection<UserId> users) {
    forEachUser(
        users,
        (commands, user) -> commands.hdel(bytes(UserKeys.largeGroups(user)), bytes(id.value())));
  }

  @Override
  public void closed(ConversationId id, long lastSeq) {
    redis.execute(close, List.of(headKey(id)), Long.toString(lastSeq));
  }

  @Override
  public boolean advance(ConversationId id, long seq, Instant at) {
    String channel =
        cluster
            ? NewsChannels.shardChannel(SlotHash.getSlot(headKey(id)))
            : InboxStore.NEWS_CHANNEL;
    Long result =
        redis.execute(
            advance,
            List.of(headKey(id)),
            Long.toString(seq),
            Long.toString(at.toEpochMilli()),
            channel,
            cluster ? "SPUBLISH" : "PUBLISH",
            NEWS_PREFIX + id.value() + "\n" + seq);
    return result != null && result > 0;
  }

  @Override
  public boolean readDiffused(ConversationId id, long seq) {
    String head = redis.opsForValue().get(headKey(id));
    return head != null && Spans.covers(head, seq);
  }

  @Override
  public Pending pending(LargeGroupState state) {
    if (state.joined().isEmpty()) {
      return Pending.NONE;
    }
    List<ConversationId> ids = new ArrayList<>(state.joined().keySet());
    List<String> heads =
        redis.opsForValue().multiGet(ids.stream().map(RedisLargeGroupStore::headKey).toList());
    List<LargeGroupNews> news = new ArrayList<>();
    Map<ConversationId, Quiet> quiet = new java.util.HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      ConversationId id = ids.get(i);
      String head = heads == null ? null : heads.get(i);
      if (head == null) {
        continue;
      }
      long from = Math.max(state.acked().getOrDefault(id, 0L), state.joined().get(id));
      LargeGroupNews found = Spans.news(id, head, from);
      if (found != null) {
        news.add(found);
      } else {
        Quiet q = Spans.quietOpen(head, from);
        if (q != null) {
          quiet.put(id, q);
        }
      }
    }
    news.sort(
        Comparator.comparingLong(LargeGroupNews::at)
            .thenComparing(n -> n.conversationId().value()));
    boolean more = news.size() > MAX_NEWS;
    return new Pending(
        more ? news.subList(0, MAX_NEWS) : news, more, state.joined().keySet(), quiet);
  }

  @Override
  public int ack(UserId user, DeviceId device, Map<ConversationId, Long> seqs) {
    if (seqs.isEmpty()) {
      return 0;
    }
    List<String> args = new ArrayList<>(1 + 2 * seqs.size());
    args.add(Long.toString(retention.toMillis()));
    seqs.forEach(
        (id, seq) -> {
          args.add(id.value());
          args.add(Long.toString(seq));
        });
    Long moved =
        redis.execute(
            ackScript,
            List.of(UserKeys.largeGroups(user), UserKeys.largeGroupAcks(user, device)),
            args.toArray(Object[]::new));
    return moved == null ? 0 : moved.intValue();
  }

  /** One command per user on the shared connection, all sent before any reply is awaited. */
  private void forEachUser(
      Collection<UserId> users,
      BiFunction<RedisClusterAsyncCommands<byte[], byte[]>, UserId, RedisFuture<?>> command) {
    if (users.isEmpty()) {
      return;
    }
    redis.execute(
        (RedisCallback<Object>)
            connection -> {
              RedisClusterAsyncCommands<byte[], byte[]> commands =
                  RedisCalls.sharedAsync(connection);
              List<RedisFuture<Object>> replies = new ArrayList<>(users.size());
              try {
                for (UserId user : users) {
                  @SuppressWarnings("unchecked")
                  RedisFuture<Object> reply = (RedisFuture<Object>) command.apply(commands, user);
                  replies.add(reply);
                }
              } catch (RuntimeException e) {
                throw RedisCalls.translated(e);
              }
              RedisCalls.awaitAll(replies, commandTimeout);
              return null;
            });
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> RedisScript<T> script(String name, Class<T> type) {
    try {
      String lib =
          new ClassPathResource("lua/lg_lib.lua").getContentAsString(StandardCharsets.UTF_8);
      String body =
          new ClassPathResource("lua/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8);
      return new DefaultRedisScript<>(lib + "\n" + body, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read lua/" + name + ".lua", e);
    }
  }
}
