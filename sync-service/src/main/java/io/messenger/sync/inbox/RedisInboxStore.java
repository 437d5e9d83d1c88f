package io.messenger.sync.inbox;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import io.messenger.sync.RedisCalls;
import io.messenger.sync.SyncMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.springframework.core.io.ClassPathResource;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link InboxStore} on Redis Streams with Lua scripts (keys: docs/data-layout.md). Each script
 * touches only the keys of one user (one hash tag); a fan-out to many users sends all its calls on
 * the shared Lettuce connection before awaiting any reply, so they are pipelined on the wire
 * without a connection of their own. The scripts also report what they trimmed and, on pulls, the
 * stream length: {@value SyncMetrics#INBOX_TRIMMED} and {@value SyncMetrics#INBOX_DEPTH}.
 */
@Component
class RedisInboxStore implements InboxStore {

  private static final String DEVICE_FIELD = "dev:";

  /** Lettuce's default command timeout, for a connection factory that does not say. */
  private static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private static final byte[] PUBLISH = bytes("PUBLISH");
  private static final byte[] SPUBLISH = bytes("SPUBLISH");

  private final StringRedisTemplate redis;
  private final boolean cluster;
  private final Duration commandTimeout;
  private final JsonMapper json;
  private final InboxProperties properties;
  private final RedisScript<List<Object>> appendScript;
  private final RedisScript<List<Object>> pullScript;
  private final RedisScript<Long> ackScript;
  private final Counter added;
  private final Counter duplicates;
  private final Counter trimmedByCap;
  private final Counter trimmedByRetention;
  private final DistributionSummary depth;
  private final InboxItemReader items;
  private final EntryJson wire;

  RedisInboxStore(
      StringRedisTemplate redis,
      JsonMapper json,
      InboxProperties properties,
      MeterRegistry meters) {
    this.redis = redis;
    this.cluster =
        redis.getConnectionFactory() instanceof LettuceConnectionFactory lettuce
            && lettuce.isClusterAware();
    this.commandTimeout =
        redis.getConnectionFactory() instanceof LettuceConnectionFactory lettuce
            ? lettuce.getClientConfiguration().getCommandTimeout()
            : DEFAULT_COMMAND_TIMEOUT;
    this.json = json;
    this.items = new InboxItemReader(json);
    this.wire = new EntryJson(json);
    this.properties = properties;
    this.appendScript = script("append", listType());
    this.pullScript = script("pull", listType());
    this.ackScript = script("ack", Long.class);
    this.added = meters.counter(SyncMetrics.INBOX_APPEND, "outcome", "added");
    this.duplicates = meters.counter(SyncMetrics.INBOX_APPEND, "outcome", "duplicate");
    this.trimmedByCap = meters.counter(SyncMetrics.INBOX_TRIMMED, "reason", "cap");
    this.trimmedByRetention = meters.counter(SyncMetrics.INBOX_TRIMMED, "reason", "retention");
    this.depth =
        DistributionSummary.builder(SyncMetrics.INBOX_DEPTH)
            .description("entries in an inbox stream, sampled on every pull")
            .register(meters);
  }

  @Override
  public List<AppendResult> append(Collection<UserId> users, InboxItem item) {
    List<UserId> targets = List.copyOf(users);
    if (targets.isEmpty()) {
      return List.of();
    }
    byte[] body = wire.body(item);
    // Instances of the first layout read only 'd' (the item) and listen only on inbox-signal:
    // both are written during a rolling upgrade (messenger.inbox.v1-compatible), otherwise not.
    boolean v1 = properties.v1Compatible();
    Shared shared =
        new Shared(
            bytes(item.dedupeKey()),
            body,
            bytes(Integer.toString(properties.maxEntries())),
            bytes(Long.toString(properties.retention().toMillis())),
            v1 ? json.writerFor(InboxItem.class).writeValueAsBytes(item) : new byte[0],
            bytes(NEWS_CHANNEL),
            bytes(Integer.toString(InboxNews.MAX_BODY_BYTES)),
            v1 ? bytes(SIGNAL_CHANNEL) : new byte[0]);
    // Appends are idempotent, so a retry after loading the script is safe.
    List<Object> raw = loadingIfUnknown(appendScript, () -> appendAll(targets, shared));
    List<AppendResult> results = new ArrayList<>(targets.size());
    for (int i = 0; i < targets.size(); i++) {
      List<?> reply = (List<?>) raw.get(i);
      boolean isNew = toLong(reply.get(0)) == 1;
      results.add(new AppendResult(targets.get(i), isNew, InboxCursor.parse(text(reply.get(1)))));
      if (isNew) {
        added.increment();
        if (reply.size() >= 4) {
          countTrimmed(reply.get(2), reply.get(3));
        }
      } else {
        duplicates.increment();
      }
    }
    return results;
  }

  /** The arguments of {@code append.lua} that are the same for every user of one append. */
  private record Shared(
      byte[] dedupeKey,
      byte[] body,
      byte[] maxEntries,
      byte[] retention,
      byte[] legacyItem,
      byte[] newsChannel,
      byte[] maxNewsBody,
      byte[] legacySignalChannel) {}

  /**
   * Runs {@code append.lua} for every target on the shared native connection: all calls are sent
   * before any reply is awaited, then the replies are awaited in order, all within the command
   * timeout. ({@code executePipelined} would open a dedicated connection for each fan-out.) Lettuce
   * failures come out as {@link DataAccessException}s, NOSCRIPT included.
   */
  private List<Object> appendAll(List<UserId> targets, Shared shared) {
    return redis.execute(
        (RedisCallback<List<Object>>)
            connection -> {
              RedisClusterAsyncCommands<byte[], byte[]> commands = sharedAsync(connection);
              List<RedisFuture<List<Object>>> replies = new ArrayList<>(targets.size());
              try {
                for (UserId user : targets) {
                  replies.add(evalAppend(commands, user, shared));
                }
              } catch (RuntimeException e) {
                throw translated(e);
              }
              return awaitAll(replies);
            });
  }

  private RedisFuture<List<Object>> evalAppend(
      RedisClusterAsyncCommands<byte[], byte[]> commands, UserId user, Shared shared) {
    List<String> keys = UserKeys.inbox(user);
    return commands.evalsha(
        appendScript.getSha1(),
        ScriptOutputType.MULTI,
        new byte[][] {bytes(keys.get(0)), bytes(keys.get(1)), bytes(keys.get(2))},
        shared.dedupeKey(),
        shared.body(),
        shared.maxEntries(),
        shared.retention(),
        shared.legacyItem(),
        cluster ? bytes(NewsChannels.shardChannel(user)) : shared.newsChannel(),
        bytes(user.value()),
        shared.maxNewsBody(),
        shared.legacySignalChannel(),
        cluster ? SPUBLISH : PUBLISH);
  }

  private List<Object> awaitAll(List<RedisFuture<List<Object>>> replies) {
    return new ArrayList<>(RedisCalls.awaitAll(replies, commandTimeout));
  }

  private static RedisClusterAsyncCommands<byte[], byte[]> sharedAsync(RedisConnection connection) {
    return RedisCalls.sharedAsync(connection);
  }

  private static DataAccessException translated(Exception e) {
    return RedisCalls.translated(e);
  }

  /**
   * Also reads the device's side of the large-group index in the same script ({@link
   * LargeGroupState}): its two keys are on the user's slot, so a pull of a user in no large group
   * is this one round trip.
   */
  @Override
  public PullResult pull(
      UserId user, DeviceId device, InboxCursor cursor, InboxCursor pendingAck, int limit) {
    List<String> keys = new ArrayList<>(UserKeys.inbox(user));
    keys.add(UserKeys.largeGroups(user));
    keys.add(UserKeys.largeGroupAcks(user, device));
    List<Object> reply =
        evalRaw(
            pullScript,
            keys,
            bytes(cursor == null ? "" : cursor.toString()),
            bytes(DEVICE_FIELD + device.value()),
            bytes(pendingAck == null ? "" : pendingAck.toString()),
            bytes(Integer.toString(limit)),
            bytes(Long.toString(properties.retention().toMillis())));
    String status = text(reply.get(0));
    if (reply.size() >= 6) {
      depth.record(toLong(reply.get(4)));
      countTrimmed(0L, reply.get(5));
    }
    InboxCursor head = InboxCursor.parse(text(reply.get(1)));
    InboxCursor from = InboxCursor.parse(text(reply.get(2)));
    LargeGroupState groups =
        new LargeGroupState(seqs((List<?>) reply.get(6)), seqs((List<?>) reply.get(7)));
    return switch (status) {
      case "new_device" ->
          new PullResult(
              ResyncReason.NEW_DEVICE, head, from, List.of(), false, List.of(), false, groups);
      case "gap" ->
          new PullResult(ResyncReason.GAP, head, from, List.of(), false, List.of(), false, groups);
      case "ok" -> {
        List<?> rows = (List<?>) reply.get(3);
        List<WireEntry> entries = new ArrayList<>(Math.min(rows.size(), limit));
        for (int i = 0; i < rows.size() && i < limit; i++) {
          entries.add(entry((List<?>) rows.get(i)));
        }
        yield new PullResult(
            null, head, from, entries, rows.size() > limit, List.of(), false, groups);
      }
      default -> throw new IllegalStateException("unexpected pull status " + status);
    };
  }

  /** A hash of conversation id to seq, as {@code HGETALL} answers it (field, value, ...). */
  private static Map<ConversationId, Long> seqs(List<?> flat) {
    if (flat.isEmpty()) {
      return Map.of();
    }
    Map<ConversationId, Long> seqs = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      seqs.put(ConversationId.of(text(flat.get(i))), toLong(flat.get(i + 1)));
    }
    return seqs;
  }

  private void countTrimmed(Object byCap, Object byRetention) {
    long cap = toLong(byCap);
    long retention = toLong(byRetention);
    if (cap > 0) {
      trimmedByCap.increment(cap);
    }
    if (retention > 0) {
      trimmedByRetention.increment(retention);
    }
  }

  /**
   * The wire form of one stream entry: its stored body ({@code w}) with the cursor spliced in, as
   * bytes straight from Redis, or, for an entry written before the wire form (only {@code d}, the
   * item), the item serialized now.
   */
  private WireEntry entry(List<?> row) {
    byte[] id = (byte[]) row.get(0);
    InboxCursor cursor = InboxCursor.parse(new String(id, StandardCharsets.ISO_8859_1));
    List<?> fields = (List<?>) row.get(1);
    byte[] item = null;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      byte[] field = (byte[]) fields.get(i);
      if (field.length == 1 && field[0] == 'w') {
        return new WireEntry(cursor, EntryJson.withCursor(id, (byte[]) fields.get(i + 1)));
      }
      if (field.length == 1 && field[0] == 'd') {
        item = (byte[]) fields.get(i + 1);
      }
    }
    if (item == null) {
      throw new IllegalStateException("inbox entry " + cursor + " has no item");
    }
    return EntryJson.wire(cursor, wire.body(items.read(new String(item, StandardCharsets.UTF_8))));
  }

  /**
   * Runs {@code script} by its SHA and answers the raw reply (byte arrays, longs and lists of them:
   * no decoding into strings).
   */
  private List<Object> evalRaw(RedisScript<?> script, List<String> keys, byte[]... args) {
    byte[][] keysAndArgs = new byte[keys.size() + args.length][];
    for (int i = 0; i < keys.size(); i++) {
      keysAndArgs[i] = bytes(keys.get(i));
    }
    System.arraycopy(args, 0, keysAndArgs, keys.size(), args.length);
    RedisCallback<List<Object>> call =
        c ->
            c.scriptingCommands()
                .evalSha(script.getSha1(), ReturnType.MULTI, keys.size(), keysAndArgs);
    return loadingIfUnknown(script, () -> redis.execute(call));
  }

  /**
   * Runs {@code call}, which invokes {@code script} by its SHA; when Redis does not know the script
   * (its cache was lost: restart, {@code SCRIPT FLUSH}, or on a cluster a replica promoted to
   * master, whose script cache is its own), loads it and runs {@code call} once more. On a cluster
   * the script is loaded on every master that serves slots ({@link #servesSlots}): a fan-out's
   * calls go to several of them.
   */
  private <T> T loadingIfUnknown(RedisScript<?> script, Supplier<T> call) {
    try {
      return call.get();
    } catch (DataAccessException e) {
      if (!isNoScript(e)) {
        throw e;
      }
      load(script);
      return call.get();
    }
  }

  private void load(RedisScript<?> script) {
    byte[] text = bytes(script.getScriptAsString());
    redis.execute(
        (RedisCallback<Object>)
            c -> {
              if (c.getNativeConnection() instanceof RedisAdvancedClusterAsyncCommands<?, ?> all) {
                @SuppressWarnings("unchecked")
                var masters =
                    ((RedisAdvancedClusterAsyncCommands<byte[], byte[]>) all)
                        .nodes(RedisInboxStore::servesSlots);
                try {
                  masters
                      .commands()
                      .scriptLoad(text)
                      .toCompletableFuture()
                      .get(commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException ie) {
                  Thread.currentThread().interrupt();
                  throw new RedisSystemException("interrupted while loading a script", ie);
                } catch (ExecutionException | TimeoutException | RuntimeException ex) {
                  throw translated(ex);
                }
                return null;
              }
              return c.scriptingCommands().scriptLoad(text);
            });
  }

  /**
   * A master that owns slots and is not known to have failed. Not a crashed master whose slots went
   * to its replica: Lettuce lists it as a master until it comes back, and a script load sent to it
   * would only time out, failing the call it was loaded for. A master only suspected ({@code
   * PFAIL}) is kept: it may be alive, and a script it lacks would fail every call to its slots.
   * ({@code RedisReplication} asks the opposite question, whose replicas to wait for, and leaves
   * suspected masters out: a mark on one is dropped and its events re-driven, which is safe.)
   */
  private static boolean servesSlots(RedisClusterNode node) {
    return node.is(RedisClusterNode.NodeFlag.UPSTREAM)
        && !node.is(RedisClusterNode.NodeFlag.FAIL)
        && !node.getSlots().isEmpty();
  }

  @Override
  public InboxCursor head(UserId user) {
    List<Object> values =
        redis.opsForHash().multiGet(UserKeys.inbox(user).get(1), List.of("since", "last"));
    if (values.get(0) == null) {
      return null;
    }
    InboxCursor since = InboxCursor.parse((String) values.get(0));
    if (values.get(1) == null) {
      return since;
    }
    InboxCursor last = InboxCursor.parse((String) values.get(1));
    return last.isAfter(since) ? last : since;
  }

  @Override
  public boolean ack(UserId user, DeviceId device, InboxCursor cursor) {
    Long moved =
        redis.execute(
            ackScript,
            UserKeys.inbox(user),
            DEVICE_FIELD + device.value(),
            cursor.toString(),
            Long.toString(properties.retention().toMillis()));
    return moved != null && moved == 1;
  }

  @Override
  public InboxCursor ackedCursor(UserId user, DeviceId device) {
    Object value =
        redis.opsForHash().get(UserKeys.inbox(user).get(1), DEVICE_FIELD + device.value());
    return value == null ? null : InboxCursor.parse((String) value);
  }

  private static boolean isNoScript(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
        return true;
      }
    }
    return false;
  }

  private static <T> RedisScript<T> script(String name, Class<T> type) {
    try {
      String lib = new ClassPathResource("lua/lib.lua").getContentAsString(StandardCharsets.UTF_8);
      String body =
          new ClassPathResource("lua/" + name + ".lua").getContentAsString(StandardCharsets.UTF_8);
      return new DefaultRedisScript<>(lib + "\n" + body, type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read lua/" + name + ".lua", e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<List<Object>> listType() {
    return (Class) List.class;
  }

  private static byte[] bytes(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Object value) {
    return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) value;
  }

  private static long toLong(Object value) {
    return value instanceof Number n ? n.longValue() : Long.parseLong(text(value));
  }
}
