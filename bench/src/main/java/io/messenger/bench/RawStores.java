package io.messenger.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The stores without our services: the same Redis scripts a pull and a send run (loaded from the
 * sync-service's own Lua files) through one shared Lettuce connection, as the service shares one,
 * and the same CQL statements a history page issues, through the DataStax driver; the raw twin of a
 * whole send is {@link RawSend}. Also the fast loaders: inbox entries and page rows written
 * straight into the stores.
 */
final class RawStores implements AutoCloseable {

  static final long RETENTION_MILLIS = 7L * 24 * 3600 * 1000;

  private final RedisClient redisClient;
  final StatefulRedisConnection<String, String> redis;
  private final StatefulRedisConnection<String, String> pipeline;
  final String pullSha;
  final String appendSha;
  final CqlSession cql;
  private final PreparedStatement findConversation;
  private final PreparedStatement isMember;
  private final PreparedStatement buckets;
  private final PreparedStatement hidden;
  private final PreparedStatement before;
  private final PreparedStatement insertMessage;
  private final PreparedStatement insertBucket;

  private final String keyspace;
  private RawSend rawSend;
  final int redisPort;
  final int cassandraPort;

  RawStores(String redisHost, int redisPort, String cassandra, String keyspace, Path repo)
      throws IOException {
    this.keyspace = keyspace;
    this.redisPort = redisPort;
    this.cassandraPort = Integer.parseInt(cassandra.split(":")[1]);
    redisClient = RedisClient.create(RedisURI.create(redisHost, redisPort));
    redis = redisClient.connect();
    pipeline = redisClient.connect();
    pipeline.setAutoFlushCommands(false);
    Path lua = repo.resolve("sync-service/src/main/resources/lua");
    String lib = Files.readString(lua.resolve("lib.lua"));
    // The service loads lib + "\n" + body: the same text gives the same SHA as the service's.
    pullSha = redis.sync().scriptLoad(lib + "\n" + Files.readString(lua.resolve("pull.lua")));
    appendSha = redis.sync().scriptLoad(lib + "\n" + Files.readString(lua.resolve("append.lua")));
    String[] hp = cassandra.split(":");
    cql =
        CqlSession.builder()
            .addContactPoint(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])))
            .withLocalDatacenter("datacenter1")
            .withKeyspace(keyspace)
            .build();
    findConversation =
        cql.prepare(
            "SELECT type, title, created_by, created_at, last_seq, msg_count, last_message_seq"
                + " FROM conversations WHERE conversation_id = ?");
    isMember =
        cql.prepare(
            "SELECT user_id FROM conversation_members WHERE conversation_id = ? AND user_id = ?");
    buckets =
        cql.prepare("SELECT bucket, first_seq FROM message_buckets WHERE conversation_id = ?");
    hidden =
        cql.prepare(
            "SELECT seq FROM hidden_messages WHERE conversation_id = ? AND user_id = ? AND seq >= ?"
                + " AND seq <= ?");
    before =
        cql.prepare(
            "SELECT seq, sender_id, sent_at, text, edited_at, recalled FROM messages"
                + " WHERE conversation_id = ? AND bucket = ? AND seq < ? LIMIT ?");
    insertMessage =
        cql.prepare(
            "INSERT INTO messages (conversation_id, bucket, seq, msg_no, sender_id, sent_at,"
                + " client_msg_id, text, recalled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, false)");
    insertBucket =
        cql.prepare(
            "INSERT INTO message_buckets (conversation_id, bucket, first_seq) VALUES (?, ?, ?)");
  }

  /**
   * The raw twin of a send ({@link RawSend}), prepared on first use; null when the keyspace has an
   * older write path's schema (no {@code relay_marks}), as a run of an older commit creates.
   */
  synchronized RawSend rawSend() {
    if (rawSend == null && RawSend.supported(cql, keyspace)) {
      rawSend = new RawSend(cql, redis, appendSha);
    }
    return rawSend;
  }

  static String[] inboxKeys(String user) {
    String tag = "{" + user + "}";
    return new String[] {"inbox:" + tag, "inbox-meta:" + tag, "inbox-dedupe:" + tag};
  }

  /**
   * The keys of {@code pull.lua}: the user's inbox keys, then the user's large groups and the
   * device's large-group acks (the same hash tag: a pull reads them in the same script).
   */
  static String[] pullKeys(String user, String device) {
    String tag = "{" + user + "}";
    return new String[] {
      "inbox:" + tag,
      "inbox-meta:" + tag,
      "inbox-dedupe:" + tag,
      "lg:" + tag,
      "lg-ack:" + tag + ":" + device
    };
  }

  /** The pull script exactly as a pull of {@code limit} entries after {@code cursor} runs it. */
  List<Object> pull(String user, String device, String cursor, int limit) {
    return redis
        .sync()
        .evalsha(
            pullSha,
            ScriptOutputType.MULTI,
            pullKeys(user, device),
            cursor,
            "dev:" + device,
            "",
            Integer.toString(limit),
            Long.toString(RETENTION_MILLIS));
  }

  /**
   * A send's Redis work for {@code users}: one append script per user, pipelined, as the
   * sync-service's fan-out does (the script also publishes the entry on the news channel).
   */
  synchronized void send(List<String> users, String dedupeKey, String itemJson) throws Exception {
    List<RedisFuture<?>> futures = new ArrayList<>(users.size());
    for (String user : users) {
      futures.add(
          pipeline
              .async()
              .evalsha(
                  appendSha,
                  ScriptOutputType.MULTI,
                  inboxKeys(user),
                  dedupeKey,
                  itemJson,
                  "1000",
                  Long.toString(RETENTION_MILLIS),
                  "",
                  "inbox-news",
                  user,
                  "16384",
                  ""));
    }
    pipeline.flushCommands();
    for (RedisFuture<?> f : futures) {
      f.get(10, TimeUnit.SECONDS);
    }
  }

  /** Appends {@code count} copies of {@code itemJson} to {@code user}'s inbox (pipelined). */
  synchronized void fill(String user, String itemJson, String dedupePrefix, int count)
      throws Exception {
    List<RedisFuture<?>> futures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      futures.add(
          pipeline
              .async()
              .evalsha(
                  appendSha,
                  ScriptOutputType.MULTI,
                  inboxKeys(user),
                  dedupePrefix + i,
                  itemJson,
                  "1000",
                  Long.toString(RETENTION_MILLIS)));
    }
    pipeline.flushCommands();
    for (RedisFuture<?> f : futures) {
      f.get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The statements one history page (limit 50, anchored before {@code seq}) issues, in the order
   * the service issues them: conversation row, membership, bucket index, delete-for-me overlay and
   * one message partition.
   */
  int page(String cid, String user, long seq, int limit) {
    cql.execute(findConversation.bind(cid)).one();
    if (cql.execute(isMember.bind(cid, user)).one() == null) {
      throw new IllegalStateException("not a member");
    }
    List<long[]> bs = new ArrayList<>();
    for (Row row : cql.execute(buckets.bind(cid))) {
      bs.add(new long[] {row.getLong("bucket"), row.getLong("first_seq")});
    }
    int start = 0;
    while (start < bs.size() && bs.get(start)[1] >= seq) {
      start++;
    }
    int end = Math.min(start + 1, bs.size() - 1);
    cql.execute(hidden.bind(cid, user, bs.get(end)[1], seq - 1)).all();
    return cql.execute(before.bind(cid, bs.get(start)[0], seq, limit + 1)).all().size();
  }

  /** Writes {@code total} messages (seq 1..total) straight into the page tables, as PageIT does. */
  void loadPages(String cid, String sender, int total) {
    Instant now = Instant.now();
    List<CompletionStage<?>> inflight = new ArrayList<>();
    for (long start = 0; start < total; start += 100) {
      BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
      for (long msgNo = start; msgNo < Math.min(total, start + 100); msgNo++) {
        long bucket = msgNo / 1000;
        batch.addStatement(
            insertMessage.bind(
                cid, bucket, msgNo + 1, msgNo, sender, now, "b" + msgNo, "bulk message " + msgNo));
        if (msgNo % 1000 == 0) {
          inflight.add(cql.executeAsync(insertBucket.bind(cid, bucket, msgNo + 1)));
        }
      }
      inflight.add(cql.executeAsync(batch.build()));
      if (inflight.size() >= 32) {
        inflight.forEach(f -> f.toCompletableFuture().join());
        inflight.clear();
      }
    }
    inflight.forEach(f -> f.toCompletableFuture().join());
    cql.execute(
        "UPDATE conversations USING TIMESTAMP "
            + total
            + " SET last_message_seq = "
            + total
            + ", last_seq = "
            + total
            + ", msg_count = "
            + total
            + " WHERE conversation_id = '"
            + cid
            + "'");
  }

  @Override
  public void close() {
    cql.close();
    pipeline.close();
    redis.close();
    redisClient.shutdown();
  }
}
