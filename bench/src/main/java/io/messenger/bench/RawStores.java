package io.messenger.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.metadata.Node;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The stores without our services: the same Redis scripts a pull and a send run (loaded from the
 * sync-service's own Lua files) through one shared Lettuce connection, as the service shares one,
 * and the same CQL statements a history page issues, through the DataStax driver; the raw twin of a
 * whole send is {@link RawSend}. Also the fast loaders: inbox entries and page rows written
 * straight into the stores.
 *
 * <p>Two deployments ({@code scripts/bench.sh --cluster}, docs/benchmarks/README.md, "Cluster
 * mode"): one Redis and one Cassandra node, or the local Redis Cluster and Cassandra ring of {@code
 * scripts/cluster.sh}. On a cluster the Redis connections are {@link RedisClusterClient}
 * connections (every call routed by its keys' slot, as the sync-service's are; the scripts loaded
 * on every master; the news published as the service does there: {@code SPUBLISH} to the shard
 * channel of the user's slot), and the CQL session knows the three nodes and runs its statements at
 * the consistency the history-service uses ({@code LOCAL_QUORUM}, serial {@code LOCAL_SERIAL}) with
 * its timeouts. The single-node set-up is unchanged: the driver's defaults, one {@link
 * RedisClient}.
 */
final class RawStores implements AutoCloseable {

  static final long RETENTION_MILLIS = 7L * 24 * 3600 * 1000;

  /**
   * One Lettuce connection, to one Redis or to a Redis Cluster: both kinds of commands share the
   * supertypes {@link RedisClusterCommands} and {@link RedisClusterAsyncCommands}, and both
   * connections {@link StatefulConnection}'s manual flushing.
   */
  record Redis(
      StatefulConnection<String, String> connection,
      RedisClusterCommands<String, String> sync,
      RedisClusterAsyncCommands<String, String> async) {

    static Redis of(StatefulRedisConnection<String, String> c) {
      return new Redis(c, c.sync(), c.async());
    }

    static Redis of(StatefulRedisClusterConnection<String, String> c) {
      return new Redis(c, c.sync(), c.async());
    }

    void setAutoFlushCommands(boolean autoFlush) {
      connection.setAutoFlushCommands(autoFlush);
    }

    void flushCommands() {
      connection.flushCommands();
    }

    void close() {
      connection.close();
    }
  }

  /** Whether the stores are a Redis Cluster and a Cassandra ring (else one node of each). */
  final boolean cluster;

  private final RedisClient redisClient;
  private final RedisClusterClient clusterClient;
  private final StatefulRedisClusterConnection<String, String> clusterConnection;
  final Redis redis;
  private final Redis pipeline;
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
  private final List<InetSocketAddress> redisNodes;
  private final List<InetSocketAddress> cassandraNodes;
  private RawSend rawSend;

  /**
   * @param cluster a Redis Cluster and a Cassandra ring ({@code --cluster})
   * @param redis {@code host:port} of the one Redis, or of the cluster's nodes (comma-separated:
   *     the seeds; the client learns the topology from them)
   * @param cassandra {@code host:port} of the one node, or of the ring's nodes (comma-separated)
   * @param datacenter the driver's local datacenter (scripts/cluster.sh: {@code datacenter1})
   */
  RawStores(
      boolean cluster,
      String redis,
      String cassandra,
      String datacenter,
      String keyspace,
      Path repo)
      throws IOException {
    this.cluster = cluster;
    this.keyspace = keyspace;
    this.redisNodes = addresses(redis);
    this.cassandraNodes = addresses(cassandra);
    if (!cluster && (redisNodes.size() != 1 || cassandraNodes.size() != 1)) {
      throw new IllegalArgumentException(
          "one Redis and one Cassandra node without --cluster: --redis "
              + redis
              + " --cassandra "
              + cassandra);
    }
    Path lua = repo.resolve("sync-service/src/main/resources/lua");
    String lib = Files.readString(lua.resolve("lib.lua"));
    // The service loads lib + "\n" + body: the same text gives the same SHA as the service's.
    String pullText = lib + "\n" + Files.readString(lua.resolve("pull.lua"));
    String appendText = lib + "\n" + Files.readString(lua.resolve("append.lua"));
    if (cluster) {
      redisClient = null;
      List<RedisURI> seeds = new ArrayList<>();
      redisNodes.forEach(a -> seeds.add(RedisURI.create(a.getHostString(), a.getPort())));
      clusterClient = RedisClusterClient.create(seeds);
      clusterConnection = clusterClient.connect();
      this.redis = Redis.of(clusterConnection);
      StatefulRedisClusterConnection<String, String> p = clusterClient.connect();
      warmUp(p);
      this.pipeline = Redis.of(p);
      // SCRIPT LOAD on every master, as the sync-service does (RedisInboxStore.load): an EVALSHA
      // goes to the master of its keys' slot, whose script cache is its own.
      pullSha = loadOnMasters(pullText);
      appendSha = loadOnMasters(appendText);
    } else {
      clusterClient = null;
      clusterConnection = null;
      InetSocketAddress r = redisNodes.get(0);
      redisClient = RedisClient.create(RedisURI.create(r.getHostString(), r.getPort()));
      this.redis = Redis.of(redisClient.connect());
      this.pipeline = Redis.of(redisClient.connect());
      pullSha = this.redis.sync().scriptLoad(pullText);
      appendSha = this.redis.sync().scriptLoad(appendText);
    }
    pipeline.setAutoFlushCommands(false);
    CqlSessionBuilder session =
        CqlSession.builder()
            .addContactPoints(cassandraNodes)
            .withLocalDatacenter(datacenter)
            .withKeyspace(keyspace);
    if (cluster) {
      // The history-service's request settings (history-service application.yml): with replication
      // 3 the driver's default LOCAL_ONE would read and write one replica where the service waits
      // for two.
      session.withConfigLoader(
          DriverConfigLoader.programmaticBuilder()
              .withString(DefaultDriverOption.REQUEST_CONSISTENCY, "LOCAL_QUORUM")
              .withString(DefaultDriverOption.REQUEST_SERIAL_CONSISTENCY, "LOCAL_SERIAL")
              .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(5))
              .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, Duration.ofSeconds(5))
              .withDuration(
                  DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
              .build());
    }
    cql = session.build();
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
      rawSend = new RawSend(cql, this);
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
                  appendValues(user, dedupeKey, itemJson)));
    }
    pipeline.flushCommands();
    for (RedisFuture<?> f : futures) {
      f.get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The values of a send's {@code append.lua} for {@code user}, as the sync-service's fan-out
   * passes them: on one Redis the news goes to the channel {@code inbox-news} with {@code PUBLISH}
   * (the script's default), on a Redis Cluster to the shard channel of the user's slot with {@code
   * SPUBLISH} ({@code RedisInboxStore.evalAppend}).
   */
  String[] appendValues(String user, String dedupeKey, String itemJson) {
    return appendValues(cluster, user, dedupeKey, itemJson);
  }

  static String[] appendValues(boolean cluster, String user, String dedupeKey, String itemJson) {
    String retention = Long.toString(RETENTION_MILLIS);
    if (cluster) {
      return new String[] {
        dedupeKey,
        itemJson,
        "1000",
        retention,
        "",
        shardChannel(user),
        user,
        "16384",
        "",
        "SPUBLISH"
      };
    }
    return new String[] {
      dedupeKey, itemJson, "1000", retention, "", "inbox-news", user, "16384", ""
    };
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

  // --- the cluster: scripts, routing, topology -------------------------------------------------

  /** Loads {@code text} on every master of the Redis Cluster; their SHA (one text, one SHA). */
  private String loadOnMasters(String text) {
    Set<String> shas = new TreeSet<>();
    clusterConnection.sync().upstream().commands().scriptLoad(text).forEach(shas::add);
    if (shas.size() != 1) {
      throw new IllegalStateException("SCRIPT LOAD on the masters answered " + shas);
    }
    return shas.iterator().next();
  }

  /**
   * Opens {@code connection}'s connections to every master before its commands are flushed by hand:
   * Lettuce connects to a node on its first command, and a command queued while that connection is
   * still being made is not written by a {@code flushCommands()} issued meanwhile (lettuce issue
   * 2420), so a pipelined batch would wait forever. One {@code EXISTS} of a key in the first slot
   * of each master, with automatic flushing still on.
   */
  private static void warmUp(StatefulRedisClusterConnection<String, String> connection) {
    for (RedisClusterNode node : connection.getPartitions()) {
      if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
        connection.sync().exists("bench-warm-up:{" + slotTag(node.getSlots().get(0)) + "}");
      }
    }
  }

  private static final String TAG_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static String[] slotTags;

  /**
   * The sync-service's shard channel of {@code user}'s news on a Redis Cluster, {@code
   * inbox-news:{<tag>}} with the shortest tag hashing to the slot of the user's keys (a copy of
   * {@code io.messenger.sync.inbox.NewsChannels}: the bench does not depend on the sync-service).
   */
  static String shardChannel(String user) {
    return "inbox-news:{" + slotTag(SlotHash.getSlot("{" + user + "}")) + "}";
  }

  /** The shortest string of {@link #TAG_ALPHABET} hashing to {@code slot}, first found in order. */
  static synchronized String slotTag(int slot) {
    if (slotTags == null) {
      String[] tags = new String[SlotHash.SLOT_COUNT];
      int missing = tags.length;
      char[] buffer = new char[4];
      for (int length = 1; length <= 4 && missing > 0; length++) {
        int combinations = (int) Math.pow(TAG_ALPHABET.length(), length);
        for (int n = 0; n < combinations && missing > 0; n++) {
          int rest = n;
          for (int i = length - 1; i >= 0; i--) {
            buffer[i] = TAG_ALPHABET.charAt(rest % TAG_ALPHABET.length());
            rest /= TAG_ALPHABET.length();
          }
          String tag = new String(buffer, 0, length);
          int s = SlotHash.getSlot(tag.getBytes(StandardCharsets.US_ASCII));
          if (tags[s] == null) {
            tags[s] = tag;
            missing--;
          }
        }
      }
      if (missing > 0) {
        throw new IllegalStateException(missing + " slots without a tag");
      }
      slotTags = tags;
    }
    return slotTags[slot];
  }

  /** {@code host:port[,host:port...]} as addresses. */
  static List<InetSocketAddress> addresses(String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String item : list.split(",")) {
      String hp = item.trim();
      if (hp.isEmpty()) {
        continue;
      }
      int colon = hp.lastIndexOf(':');
      if (colon <= 0 || colon == hp.length() - 1) {
        throw new IllegalArgumentException("not host:port: " + hp);
      }
      out.add(
          new InetSocketAddress(hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1))));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no host:port in '" + list + "'");
    }
    return out;
  }

  /**
   * What the run talked to, for the report: the deployment ({@code single node} or {@code
   * cluster}), the Redis node(s) with their roles, the Cassandra node(s) as the driver sees them,
   * the keyspace's replication and, on a cluster, the consistency of the raw statements.
   */
  Map<String, Object> topology() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("deployment", cluster ? "cluster" : "single node");
    if (cluster) {
      List<String> masters = new ArrayList<>();
      List<String> replicas = new ArrayList<>();
      List<RedisClusterNode> nodes = new ArrayList<>();
      clusterConnection.getPartitions().forEach(nodes::add);
      nodes.sort(Comparator.comparing(n -> n.getUri().getPort()));
      for (RedisClusterNode n : nodes) {
        String at = n.getUri().getHost() + ":" + n.getUri().getPort();
        if (n.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          masters.add(at + " (" + n.getSlots().size() + " slots)");
        } else {
          replicas.add(at);
        }
      }
      m.put(
          "redis",
          "Redis Cluster, "
              + masters.size()
              + " masters "
              + masters
              + " + "
              + replicas.size()
              + " replicas "
              + replicas);
    } else {
      m.put("redis", "one Redis " + hostPort(redisNodes.get(0)));
    }
    List<String> ring = new ArrayList<>();
    for (Node n : cql.getMetadata().getNodes().values()) {
      ring.add(n.getEndPoint() + " " + n.getDatacenter() + " " + n.getState());
    }
    ring.sort(null);
    m.put("cassandra", (cluster ? ring.size() + " nodes " : "one node ") + ring);
    m.put("keyspace", keyspace);
    m.put(
        "replication",
        cql.getMetadata()
            .getKeyspace(keyspace)
            .map(k -> (Object) k.getReplication())
            .orElse("unknown"));
    if (cluster) {
      m.put("rawConsistency", "LOCAL_QUORUM, serial LOCAL_SERIAL (as the history-service)");
    }
    return m;
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getHostString() + ":" + a.getPort();
  }

  /** The CPU time of the Cassandra node, or the sum over the ring's nodes (by address and port). */
  ProcessCpu cassandraCpu() {
    return cluster
        ? ProcessCpu.listeningOnAll("cassandra", cassandraNodes)
        : ProcessCpu.listeningOn("cassandra", cassandraNodes.get(0).getPort());
  }

  /** The CPU time of the Redis, or the sum over every node of the cluster, replicas included. */
  ProcessCpu redisCpu() {
    if (!cluster) {
      return ProcessCpu.listeningOn("redis", redisNodes.get(0).getPort());
    }
    List<InetSocketAddress> nodes = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (RedisClusterNode n : clusterConnection.getPartitions()) {
      if (seen.add(n.getUri().getHost() + ":" + n.getUri().getPort())) {
        nodes.add(new InetSocketAddress(n.getUri().getHost(), n.getUri().getPort()));
      }
    }
    return ProcessCpu.listeningOnAll("redis", nodes);
  }

  /** How many processes {@link #cassandraCpu()} and {@link #redisCpu()} sum, for their labels. */
  String cpuLabel(String store) {
    if (!cluster) {
      return store;
    }
    int n =
        store.equals("Redis")
            ? clusterConnection.getPartitions().size()
            : cql.getMetadata().getNodes().size();
    return store + " (the sum over its " + n + " nodes)";
  }

  @Override
  public void close() {
    cql.close();
    pipeline.close();
    redis.close();
    if (cluster) {
      clusterClient.shutdown();
    } else {
      redisClient.shutdown();
    }
  }
}
