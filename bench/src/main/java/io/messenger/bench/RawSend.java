package io.messenger.bench;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ColumnDefinitions;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.messenger.model.Sha256;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The raw twin of one send of the v2 write path: the same Cassandra statements the history-service
 * issues for a new message, in the same rounds, followed by the same Redis calls the sync-service's
 * fan-out makes, from a driver loop with no HTTP, JSON, security or service code in between.
 *
 * <ol>
 *   <li><b>reads</b>, issued together: the relay mark upsert ({@code relay_marks}), the {@code
 *       conversations} row, the sender's {@code conversation_members} row, the client id's {@code
 *       client_requests} row and the member list;
 *   <li><b>batch</b>: one conditional LOGGED batch on the log partition (the event row, the request
 *       row {@code IF NOT EXISTS} at its negative clustering key, the claim {@code UPDATE ... IF
 *       head_seq = N AND head_msg_count = M}). The head is tracked here. Concurrent sends to one
 *       conversation share a round as in the service's {@code CommitLanes}: the first sender of an
 *       idle lane leads and takes everything queued (up to 64);
 *   <li><b>complete</b>, issued together: the {@code client_requests} upsert, the {@code messages}
 *       row, the {@code message_buckets} row and the two head hints on {@code conversations};
 *   <li><b>fan-out</b>: one {@code EVALSHA append.lua} per member on the shared Lettuce connection
 *       (commands sent as issued, replies awaited after), as {@code RedisInboxStore.append} does
 *       (on a Redis Cluster each to the master of the member's slot, the news by {@code SPUBLISH}:
 *       {@link RawStores#appendValues}).
 * </ol>
 *
 * The conversations it writes to are real ones created through the API, used by the twin alone, so
 * the events it logs are valid events of the real schema (the delivery relay may look at them as it
 * does at the service's). Each round's time is recorded per send (see {@link Pieces}).
 */
final class RawSend {

  private static final long BUCKET_SIZE = 4096;
  private static final long MESSAGES_PER_BUCKET = 1000;
  private static final long BUCKET_TIMESTAMP_BASE = 1L << 52;
  private static final int MAX_BATCH = 64;
  private static final int RELAY_SHARDS = io.messenger.model.internal.HistoryApi.RELAY_SHARDS;

  private final CqlSession cql;
  private final RawStores stores;
  private final RawStores.Redis redis;
  private final String appendSha;
  private final AtomicLong lastMarkMicros = new AtomicLong();
  private final PreparedStatement mark;
  private final PreparedStatement findConversation;
  private final PreparedStatement isMember;
  private final PreparedStatement findRequest;
  private final PreparedStatement members;
  private final PreparedStatement insertEvent;
  private final PreparedStatement insertRequest;
  private final PreparedStatement claimNext;
  private final PreparedStatement claimFirst;
  private final PreparedStatement readHead;
  private final PreparedStatement completeRequest;
  private final PreparedStatement insertMessage;
  private final PreparedStatement insertBucket;
  private final PreparedStatement recordHead;
  private final PreparedStatement recordLastMessage;

  /** Per-send time of each round, microseconds. */
  final Pieces pieces = new Pieces();

  static final class Pieces {
    final Histogram reads = new ConcurrentHistogram(120_000_000L, 3);
    final Histogram batch = new ConcurrentHistogram(120_000_000L, 3);
    final Histogram complete = new ConcurrentHistogram(120_000_000L, 3);
    final Histogram fanout = new ConcurrentHistogram(120_000_000L, 3);
    final Histogram total = new ConcurrentHistogram(120_000_000L, 3);
    final AtomicLong rounds = new AtomicLong();
    final AtomicLong events = new AtomicLong();
    final AtomicLong raced = new AtomicLong();

    void reset() {
      reads.reset();
      batch.reset();
      complete.reset();
      fanout.reset();
      total.reset();
      rounds.set(0);
      events.set(0);
      raced.set(0);
    }
  }

  /** Whether the keyspace has the v2 write path's tables (an older schema has no relay marks). */
  static boolean supported(CqlSession cql, String keyspace) {
    return cql.getMetadata()
        .getKeyspace(keyspace)
        .flatMap(k -> k.getTable("relay_marks"))
        .isPresent();
  }

  RawSend(CqlSession cql, RawStores stores) {
    this.cql = cql;
    this.stores = stores;
    this.redis = stores.redis;
    this.appendSha = stores.appendSha;
    mark =
        cql.prepare(
            "INSERT INTO relay_marks (shard, conversation_id, marked_at) VALUES (?, ?, ?)"
                + " USING TIMESTAMP ?");
    findConversation =
        cql.prepare(
            "SELECT type, title, created_by, created_at, last_seq, msg_count, last_message_seq"
                + " FROM conversations WHERE conversation_id = ?");
    isMember =
        cql.prepare(
            "SELECT user_id FROM conversation_members WHERE conversation_id = ? AND user_id = ?");
    String requestKey = " WHERE conversation_id = ? AND actor_id = ? AND client_id = ?";
    findRequest =
        cql.prepare("SELECT kind, fingerprint, reserved_at, seq FROM client_requests" + requestKey);
    members = cql.prepare("SELECT user_id FROM conversation_members WHERE conversation_id = ?");
    insertEvent =
        cql.prepare(
            "INSERT INTO conversation_log (conversation_id, bucket, seq, kind, actor_id, client_id,"
                + " at, text, op_type, ref_seq, msg_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insertRequest =
        cql.prepare(
            "INSERT INTO conversation_log (conversation_id, bucket, seq, kind, actor_id, client_id,"
                + " at, text, op_type, ref_seq) VALUES (?, ?, ?, 'request', ?, ?, ?, ?, ?, ?)"
                + " IF NOT EXISTS");
    String head =
        "UPDATE conversation_log SET head_seq = ?, head_msg_count = ?"
            + " WHERE conversation_id = ? AND bucket = ?";
    claimNext = cql.prepare(head + " IF head_seq = ? AND head_msg_count = ?");
    claimFirst = cql.prepare(head + " IF head_seq = null");
    readHead =
        cql.prepare(
            "SELECT head_seq, head_msg_count FROM conversation_log"
                + " WHERE conversation_id = ? AND bucket = ? LIMIT 1");
    completeRequest =
        cql.prepare(
            "UPDATE client_requests SET kind = ?, fingerprint = ?, reserved_at = ?, seq = ?"
                + requestKey);
    insertMessage =
        cql.prepare(
            "INSERT INTO messages (conversation_id, bucket, seq, msg_no, sender_id, sent_at,"
                + " client_msg_id, text, recalled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, false)"
                + " USING TIMESTAMP ?");
    insertBucket =
        cql.prepare(
            "INSERT INTO message_buckets (conversation_id, bucket, first_seq) VALUES (?, ?, ?)"
                + " USING TIMESTAMP ?");
    recordHead =
        cql.prepare(
            "UPDATE conversations USING TIMESTAMP ? SET last_seq = ?, msg_count = ?"
                + " WHERE conversation_id = ?");
    recordLastMessage =
        cql.prepare(
            "UPDATE conversations USING TIMESTAMP ? SET last_message_seq = ?"
                + " WHERE conversation_id = ?");
  }

  /**
   * A conversation the twin alone writes to: its members (the fan-out's targets) and its lane (the
   * head it claimed last and the sends waiting for a round).
   */
  static final class Target {
    final String id;
    final List<String> members;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean busy;
    private long headSeq;
    private long headMessages;

    Target(String id, List<String> members) {
      this.id = id;
      this.members = List.copyOf(members);
    }
  }

  /** One send waiting in its lane; the leader of its round sets its seq and ordinal. */
  private static final class Pending {
    final String sender;
    final String clientId;
    final String text;
    final String fingerprint;
    final long requestKey;
    final Instant at;
    long seq;
    long msgNo;
    RuntimeException error;
    boolean done;

    Pending(String sender, String clientId, String text, Instant at) {
      this.sender = sender;
      this.clientId = clientId;
      this.text = text;
      this.at = at;
      this.fingerprint = Sha256.hex("message", text);
      this.requestKey = requestKey(sender, clientId);
    }
  }

  /**
   * One send of {@code text} by {@code sender}: reads, batch, completion, fan-out of {@code
   * itemJson} (the stored wire form of a real entry) under the dedupe key {@code e:<cid>:<seq>}.
   */
  long send(Target t, String sender, String clientId, String text, String itemJson)
      throws Exception {
    long t0 = System.nanoTime();
    // 1. The reads round, with the relay mark beside it.
    CompletionStage<AsyncResultSet> marked = markAsync(t.id);
    CompletionStage<AsyncResultSet> conversation = cql.executeAsync(findConversation.bind(t.id));
    CompletionStage<AsyncResultSet> member = cql.executeAsync(isMember.bind(t.id, sender));
    CompletionStage<AsyncResultSet> known =
        cql.executeAsync(findRequest.bind(t.id, sender, clientId));
    CompletionStage<List<String>> memberList = membersAsync(t.id);
    Row row = await(conversation).one();
    if (row == null || row.getString("type") == null || await(member).one() == null) {
      throw new IllegalStateException("not a member of " + t.id);
    }
    if (await(known).one() != null) {
      throw new IllegalStateException("client id used twice: " + clientId);
    }
    await(marked);
    List<String> recipients = await(memberList);
    long hintSeq = row.isNull("last_seq") ? 0 : row.getLong("last_seq");
    long hintCount = row.isNull("msg_count") ? 0 : row.getLong("msg_count");
    long t1 = System.nanoTime();
    pieces.reads.recordValue(micros(t1 - t0));

    // 2. The consensus round (shared with the sends queued meanwhile).
    Pending p =
        new Pending(sender, clientId, text, Instant.ofEpochMilli(System.currentTimeMillis()));
    submit(t, p, hintSeq, hintCount);
    long t2 = System.nanoTime();
    pieces.batch.recordValue(micros(t2 - t1));

    // 3. Completion: the client id's record and the projections, together.
    long bucket = p.msgNo / MESSAGES_PER_BUCKET;
    List<CompletionStage<AsyncResultSet>> writes = new ArrayList<>(5);
    writes.add(
        run(completeRequest.bind("message", p.fingerprint, p.at, p.seq, t.id, sender, clientId)));
    writes.add(
        run(insertMessage.bind(t.id, bucket, p.seq, p.msgNo, sender, p.at, clientId, text, p.seq)));
    writes.add(run(insertBucket.bind(t.id, bucket, p.seq, BUCKET_TIMESTAMP_BASE - p.seq)));
    writes.add(run(recordHead.bind(p.seq, p.seq, p.msgNo + 1, t.id)));
    writes.add(run(recordLastMessage.bind(p.seq, p.seq, t.id)));
    for (CompletionStage<AsyncResultSet> w : writes) {
      await(w);
    }
    long t3 = System.nanoTime();
    pieces.complete.recordValue(micros(t3 - t2));

    // 4. The fan-out: to the recipients (all members, the sender among them).
    String dedupeKey = "e:" + t.id + ":" + p.seq;
    List<RedisFuture<List<Object>>> replies = new ArrayList<>(recipients.size());
    for (String user : recipients) {
      replies.add(
          redis
              .async()
              .evalsha(
                  appendSha,
                  ScriptOutputType.MULTI,
                  RawStores.inboxKeys(user),
                  stores.appendValues(user, dedupeKey, itemJson)));
    }
    for (RedisFuture<List<Object>> reply : replies) {
      reply.get(10, TimeUnit.SECONDS);
    }
    long t4 = System.nanoTime();
    pieces.fanout.recordValue(micros(t4 - t3));
    pieces.total.recordValue(micros(t4 - t0));
    return p.seq;
  }

  // --- the lane: one round for every send queued while the previous one was in flight --------

  private void submit(Target t, Pending p, long hintSeq, long hintCount) {
    synchronized (t) {
      if (hintSeq > t.headSeq) {
        t.headSeq = hintSeq;
        t.headMessages = hintCount;
      }
      t.queue.add(p);
    }
    while (true) {
      List<Pending> batch = new ArrayList<>();
      synchronized (t) {
        while (!p.done && t.busy) {
          try {
            t.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
        if (p.done) {
          break;
        }
        t.busy = true;
        while (!t.queue.isEmpty() && batch.size() < MAX_BATCH) {
          batch.add(t.queue.poll());
        }
      }
      try {
        commit(t, batch);
      } catch (RuntimeException e) {
        batch.forEach(b -> b.error = e);
      } finally {
        synchronized (t) {
          batch.forEach(b -> b.done = true);
          t.busy = false;
          t.notifyAll();
        }
      }
    }
    if (p.error != null) {
      throw p.error;
    }
  }

  /** Logs {@code batch}; only the lane's leader calls this, so the head is read and set alone. */
  private void commit(Target t, List<Pending> batch) {
    List<Pending> open = new ArrayList<>(batch);
    for (int attempt = 1; !open.isEmpty(); attempt++) {
      if (attempt > 64) {
        throw new IllegalStateException("no seq after 64 rounds in " + t.id);
      }
      long head = t.headSeq;
      long bucket = (head + 1 - 1) / BUCKET_SIZE;
      int take = (int) Math.min(open.size(), (bucket + 1) * BUCKET_SIZE - head);
      List<Pending> part = new ArrayList<>(open.subList(0, take));
      BatchStatementBuilder statements = BatchStatement.builder(BatchType.LOGGED);
      long seq = head;
      long msgNo = t.headMessages;
      long headMessages = msgNo;
      for (Pending q : part) {
        q.seq = ++seq;
        q.msgNo = msgNo++;
        statements.addStatement(
            insertEvent.bind(
                t.id,
                bucket,
                q.seq,
                "message",
                q.sender,
                q.clientId,
                q.at,
                q.text,
                null,
                0L,
                q.msgNo));
        statements.addStatement(
            insertRequest.bind(
                t.id,
                bucket,
                q.requestKey,
                q.sender,
                q.clientId,
                q.at,
                q.fingerprint,
                "message",
                q.seq));
      }
      BoundStatement claim =
          head == 0 || (head - 1) / BUCKET_SIZE != bucket
              ? claimFirst.bind(seq, msgNo, t.id, bucket)
              : claimNext.bind(seq, msgNo, t.id, bucket, head, headMessages);
      statements.addStatement(claim);
      ResultSet result = cql.execute(statements.build());
      pieces.rounds.incrementAndGet();
      if (result.wasApplied()) {
        pieces.events.addAndGet(take);
        t.headSeq = seq;
        t.headMessages = msgNo;
        open.removeAll(part);
        continue;
      }
      pieces.raced.incrementAndGet();
      boolean learned = false;
      for (Row row : result) {
        ColumnDefinitions columns = row.getColumnDefinitions();
        if (columns.contains("head_seq")
            && !row.isNull("head_seq")
            && columns.contains("head_msg_count")
            && !row.isNull("head_msg_count")) {
          t.headSeq = row.getLong("head_seq");
          t.headMessages = row.getLong("head_msg_count");
          learned = true;
        }
        if (columns.contains("seq") && !row.isNull("seq") && row.getLong("seq") < 0) {
          throw new IllegalStateException("a request row exists already in " + t.id);
        }
      }
      if (!learned) {
        learnHead(t);
      }
    }
  }

  /** The committed head, read linearizably (after a failed round that did not say it). */
  private void learnHead(Target t) {
    long bucket = t.headSeq == 0 ? 0 : (t.headSeq - 1) / BUCKET_SIZE;
    while (true) {
      Row row =
          cql.execute(
                  readHead.bind(t.id, bucket).setConsistencyLevel(ConsistencyLevel.LOCAL_SERIAL))
              .one();
      if (row == null || row.isNull("head_seq")) {
        return;
      }
      t.headSeq = row.getLong("head_seq");
      t.headMessages = row.getLong("head_msg_count");
      if (t.headSeq < (bucket + 1) * BUCKET_SIZE) {
        return;
      }
      bucket++;
    }
  }

  // --- helpers ----------------------------------------------------------------------------------

  private CompletionStage<AsyncResultSet> markAsync(String cid) {
    Instant now = Instant.now();
    long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    long stamp = lastMarkMicros.accumulateAndGet(micros, (last, next) -> Math.max(last + 1, next));
    return run(
        mark.bind(
            Math.floorMod(cid.hashCode(), RELAY_SHARDS),
            cid,
            Instant.ofEpochMilli(stamp / 1000),
            stamp));
  }

  private CompletionStage<List<String>> membersAsync(String cid) {
    return cql.executeAsync(members.bind(cid)).thenCompose(rs -> collect(rs, new ArrayList<>()));
  }

  private static CompletionStage<List<String>> collect(AsyncResultSet rs, List<String> out) {
    for (Row row : rs.currentPage()) {
      out.add(row.getString("user_id"));
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(next -> collect(next, out))
        : CompletableFuture.completedFuture(out);
  }

  private CompletionStage<AsyncResultSet> run(BoundStatement statement) {
    return cql.executeAsync(statement.setIdempotent(true));
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
    }
  }

  private static long micros(long nanos) {
    return Math.max(1, nanos / 1000);
  }

  /** The request row's clustering key, as the history-service derives it (in [-2^62, -1]). */
  static long requestKey(String actor, String clientId) {
    long bits = ByteBuffer.wrap(Sha256.of(actor, clientId)).getLong();
    return -1 - (bits & 0x3FFF_FFFF_FFFF_FFFFL);
  }
}
