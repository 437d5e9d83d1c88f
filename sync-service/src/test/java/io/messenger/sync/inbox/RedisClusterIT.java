package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.KillArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import io.messenger.support.security.Tokens;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.support.LoopbackRedisCluster;
import io.messenger.sync.support.RedisClusterExtension;
import io.messenger.sync.support.RedisExtension;
import io.messenger.sync.support.StubHistory;
import io.messenger.sync.support.StubHistory.Reply;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sync-service over HTTP on a real Redis Cluster of 3 masters and 3 replicas ({@link
 * RedisClusterExtension}), configured as in production ({@code spring.data.redis.cluster.nodes},
 * {@code RedisClusterOptions}). It proves that
 *
 * <ol>
 *   <li>every key and script of a user stays in the user's slot: one message to users on each of
 *       the three masters is appended, pulled, acked, deduplicated and resynced as on one Redis,
 *       and the whole {@link InboxStoreContract} passes with its users spread over the masters
 *       ({@link AsOnOneRedis}); a command or script touching two slots would fail (CROSSSLOT);
 *   <li>after {@code SCRIPT FLUSH} on every master the next append, pull and ack still work, and
 *       every master caches the scripts again (each script is loaded on every master);
 *   <li>a long-poll parked for a user on each master is woken by an append for that user: the news
 *       comes over sharded pub/sub, subscribed on the master that owns the user's slot;
 *   <li>when the news connections drop ({@code CLIENT KILL TYPE pubsub} on every master), the
 *       subscriptions are made again and long-polls are woken again (Lettuce's own re-subscription
 *       fails there with CROSSSLOT);
 *   <li>when a master crashes (SIGKILL), its replica is promoted and, within a bound, the service
 *       answers for that master's users again with what they had, takes the next message at once
 *       (its script loaded on the new master, not held up by the dead one) and wakes their
 *       long-polls (the news subscriptions moved to the new master). The node is then restarted (it
 *       rejoins as a replica), so the cluster is whole again for the tests that follow.
 * </ol>
 *
 * <p>How the cluster runs, and why so: {@link RedisClusterExtension} and {@link
 * LoopbackRedisCluster} (its nodes on the host's loopback, in one container with host networking).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {

  private static final Logger log = LoggerFactory.getLogger(RedisClusterIT.class);

  /**
   * How long a crashed master's replica may take to be promoted: {@code cluster-node-timeout} (3
   * s), the failure report and the election, with room for a loaded machine (measured: 5-6 s).
   */
  private static final Duration PROMOTION = Duration.ofSeconds(30);

  /**
   * How long after the promotion the service may take to serve the master's users again: Lettuce's
   * adaptive topology refresh (at most one a second, {@code RedisClusterOptions}) and the calls
   * still timing out meanwhile (2 s each), with room for a loaded machine (measured: 2-7 s).
   */
  private static final Duration AFTER_PROMOTION = Duration.ofSeconds(15);

  @RegisterExtension static final RedisClusterExtension redis = new RedisClusterExtension();

  static final StubHistory history = new StubHistory();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.cluster.nodes", RedisClusterExtension::nodes);
    registry.add("messenger.history.base-url", history::baseUrl);
    registry.add("messenger.history.timeout", () -> "2s");
    registry.add("messenger.jwt.secret", () -> "it-client-secret-0123456789abcdef0123456789");
    registry.add("messenger.internal.secret", () -> "it-internal-secret-0123456789abcdef012345");
    // The relay worker has its own test (DeliveryRelayIT): here it would call the stub.
    registry.add("messenger.delivery.relay", () -> "false");
  }

  @AfterAll
  static void stopStub() {
    history.close();
  }

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired JsonMapper json;
  @Autowired MeterRegistry meters;

  private final HttpClient http = HttpClient.newHttpClient();
  private final LoopbackRedisCluster cluster = RedisClusterExtension.cluster();

  /** The {@link InboxStoreContract}, with its users on the three masters in turn. */
  @Nested
  class AsOnOneRedis extends InboxStoreContract {

    @Autowired InboxStore store;

    @Override
    InboxStore store() {
      return store;
    }

    @Override
    UserId newUser() {
      return redis.newUser();
    }
  }

  @Test
  @Order(1)
  @SuppressWarnings("unchecked")
  void aMessageToUsersOnEveryMasterIsPulledAckedAndResyncedAsOnOneRedis() throws Exception {
    List<UserId> users = redis.usersOnEveryMaster();
    assertThat(users.stream().map(u -> redis.masterOf(u).getNodeId()).distinct()).hasSize(3);
    List<String> heads = users.stream().map(this::register).toList();

    assertThat(send(users, "c_rc1", 1, 201)).isEqualTo(201);
    assertThat(send(users, "c_rc1", 1, 200)).as("retried").isEqualTo(200);

    for (int i = 0; i < users.size(); i++) {
      UserId user = users.get(i);
      List<Map<String, Object>> entries = entries(get(user, "/v1/sync?cursor=" + heads.get(i)));
      assertThat(entries)
          .singleElement()
          .satisfies(e -> assertThat(e).containsEntry("seq", 1).containsEntry("text", "hello 1"));
      String cursor = (String) entries.get(0).get("cursor");
      assertThat(post(user, "/v1/sync/ack", Map.of("cursor", cursor)).status()).isEqualTo(204);

      Answer fromAck = get(user, "/v1/sync");
      assertThat(fromAck.body())
          .containsEntry("resync", null)
          .containsEntry("entries", List.of())
          .containsEntry("nextCursor", cursor);

      redis.loseInbox(user);
      Map<String, Object> gap =
          (Map<String, Object>) get(user, "/v1/sync?cursor=" + cursor).body().get("resync");
      assertThat(gap).containsEntry("reason", "gap");
    }
  }

  @Test
  @Order(2)
  void afterScriptFlushOnEveryMasterTheScriptsAreLoadedAgainOnEveryMaster() throws Exception {
    List<UserId> users = redis.usersOnEveryMaster();
    users.forEach(this::register);
    send(users, "c_rc2", 1, 201);
    List<RedisClusterNode> masters = cluster.masters();
    for (RedisClusterNode master : masters) {
      assertThat(cachedScripts(master)).as("scripts on " + master.getUri()).isPositive();
      assertThat(on(master).scriptFlush()).isEqualTo("OK");
      assertThat(cachedScripts(master)).as("scripts on " + master.getUri() + " flushed").isZero();
    }

    assertThat(send(users, "c_rc2", 2, 201)).isEqualTo(201);

    for (UserId user : users) {
      List<Map<String, Object>> entries = entries(get(user, "/v1/sync?cursor=0-0"));
      assertThat(entries).extracting(e -> e.get("seq")).containsExactly(1, 2);
      String cursor = (String) entries.get(1).get("cursor");
      assertThat(post(user, "/v1/sync/ack", Map.of("cursor", cursor)).status()).isEqualTo(204);
      await("the ack of " + user + " stored")
          .atMost(Duration.ofSeconds(10))
          .until(() -> storedAck(user), cursor::equals);
    }
    for (RedisClusterNode master : masters) {
      assertThat(cachedScripts(master)).as("scripts on " + master.getUri() + " again").isPositive();
    }
  }

  @Test
  @Order(3)
  void aLongPollOnEveryMasterIsWokenByAnAppendForItsUser() throws Exception {
    List<UserId> users = redis.usersOnEveryMaster();
    List<String> heads = users.stream().map(this::register).toList();
    for (UserId user : users) {
      awaitNewsSubscribedOn(redis.masterOf(user), user);
    }

    double parkedBefore = parked();
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      polls.add(longPoll(users.get(i), heads.get(i)));
    }
    awaitParked(parkedBefore + users.size());
    assertThat(polls).noneMatch(CompletableFuture::isDone);
    send(users, "c_rc3", 1, 201);

    for (int i = 0; i < users.size(); i++) {
      UserId user = users.get(i);
      HttpResponse<String> woken = polls.get(i).get(10, TimeUnit.SECONDS);
      assertThat(woken.statusCode()).isEqualTo(200);
      List<Map<String, Object>> entries = entries(parse(woken));
      assertThat(entries).singleElement().satisfies(e -> assertThat(e).containsEntry("seq", 1));
      String cursor = (String) entries.get(0).get("cursor");
      assertThat(post(user, "/v1/sync/ack", Map.of("cursor", cursor)).status()).isEqualTo(204);
      assertThat(get(user, "/v1/sync").body())
          .containsEntry("entries", List.of())
          .containsEntry("nextCursor", cursor);
    }
  }

  @Test
  @Order(4)
  void newsSubscriptionsLostWithTheirConnectionAreMadeAgain() throws Exception {
    List<UserId> users = redis.usersOnEveryMaster();
    List<String> heads = users.stream().map(this::register).toList();
    for (UserId user : users) {
      awaitNewsSubscribedOn(redis.masterOf(user), user);
    }

    for (RedisClusterNode master : cluster.masters()) {
      on(master).clientKill(KillArgs.Builder.typePubsub());
    }

    for (UserId user : users) {
      awaitNewsSubscribedOn(redis.masterOf(user), user);
    }
    double parkedBefore = parked();
    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    for (int i = 0; i < users.size(); i++) {
      polls.add(longPoll(users.get(i), heads.get(i)));
    }
    awaitParked(parkedBefore + users.size());
    send(users, "c_rc4", 1, 201);
    for (CompletableFuture<HttpResponse<String>> poll : polls) {
      assertThat(entries(parse(poll.get(10, TimeUnit.SECONDS)))).hasSize(1);
    }
  }

  @Test
  @Order(5)
  void aCrashedMastersUsersAreServedAgainByItsPromotedReplica() throws Exception {
    RedisClusterNode master = cluster.masters().get(0);
    RedisClusterNode replica = replicaOf(master);
    int masterPort = master.getUri().getPort();
    UserId user = redis.newUserOn(master);
    String head = register(user);
    send(List.of(user), "c_rc5", 1, 201);
    awaitReplicated(master, replica);

    long crashed = System.nanoTime();
    cluster.kill(masterPort);
    try {
      await("the replica promoted")
          .atMost(PROMOTION)
          .ignoreExceptions()
          .until(() -> redis.masterOf(user).getNodeId(), replica.getNodeId()::equals);
      long promoted = System.nanoTime();
      List<Map<String, Object>> kept =
          await("the service answering for the user again")
              .atMost(AFTER_PROMOTION)
              .ignoreExceptions()
              .until(() -> entries(get(user, "/v1/sync?cursor=" + head)), e -> e.size() == 1);
      long served = System.nanoTime();
      awaitNewsSubscribedOn(replica, user);
      long subscribed = System.nanoTime();
      log.info(
          "failover: replica promoted {} ms, user served {} ms, news subscribed {} ms after the"
              + " crash",
          (promoted - crashed) / 1_000_000,
          (served - crashed) / 1_000_000,
          (subscribed - crashed) / 1_000_000);

      double parkedBefore = parked();
      CompletableFuture<HttpResponse<String>> poll =
          longPoll(user, (String) kept.get(0).get("cursor"));
      awaitParked(parkedBefore + 1);
      assertThat(poll).isNotDone();
      assertThat(send(List.of(user), "c_rc5", 2, 201)).isEqualTo(201);
      HttpResponse<String> woken = poll.get(10, TimeUnit.SECONDS);
      assertThat(entries(parse(woken))).extracting(e -> e.get("seq")).containsExactly(2);
    } finally {
      cluster.startNode(masterPort);
      cluster.awaitHealthy();
    }
  }

  // ---------------------------------------------------------------- helpers

  record Answer(int status, Map<String, Object> body) {}

  private String token(UserId user) {
    return tokens.client(user, DeviceId.of("phone"), Duration.ofHours(1));
  }

  private HttpRequest.Builder request(UserId user, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(40))
        .header("Authorization", "Bearer " + token(user));
  }

  private Answer get(UserId user, String path) throws Exception {
    HttpResponse<String> response =
        http.send(request(user, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    return parse(response);
  }

  private Answer post(UserId user, String path, Object body) throws Exception {
    HttpResponse<String> response =
        http.send(
            request(user, path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return parse(response);
  }

  private Answer parse(HttpResponse<String> response) {
    Map<String, Object> body =
        response.body().isEmpty()
            ? Map.of()
            : json.readValue(response.body(), new TypeReference<Map<String, Object>>() {});
    return new Answer(response.statusCode(), body);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> entries(Answer answer) {
    assertThat(answer.status()).isEqualTo(200);
    return (List<Map<String, Object>>) answer.body().get("entries");
  }

  private CompletableFuture<HttpResponse<String>> longPoll(UserId user, String cursor) {
    return http.sendAsync(
        request(user, "/v1/sync?waitMs=20000&cursor=" + cursor).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The device's first pull: resync new_device, its cursor at the head (answered). */
  @SuppressWarnings("unchecked")
  private String register(UserId user) {
    try {
      Answer first = get(user, "/v1/sync");
      assertThat(first.status()).as("first pull of " + user).isEqualTo(200);
      Map<String, Object> resync = (Map<String, Object>) first.body().get("resync");
      assertThat(resync).containsEntry("reason", "new_device");
      return (String) resync.get("headCursor");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Message {@code seq} of {@code conversation} from the first user to all of them, history
   * answering {@code status}: the status the service answered.
   */
  private int send(List<UserId> users, String conversation, int seq, int status) throws Exception {
    String recipients = users.stream().map(u -> "\"" + u.value() + "\"").toList().toString();
    String reply =
        """
        {"message": {"conversationId": "%s", "seq": %d, "senderId": "%s",
          "sentAt": "2026-01-02T03:04:05Z", "clientMsgId": "m-%d", "text": "hello %d"},
         "recipients": %s}"""
            .formatted(conversation, seq, users.get(0).value(), seq, seq, recipients);
    history.answer(call -> Reply.of(status, reply));
    return post(
            users.get(0),
            "/v1/conversations/" + conversation + "/messages",
            Map.of("clientMsgId", "m-" + seq, "text", "hi"))
        .status();
  }

  private double parked() {
    return meters.get(SyncMetrics.LONGPOLL_PARKED).gauge().value();
  }

  private void awaitParked(double count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> parked() >= count);
  }

  /**
   * Waits until the service listens to the shard channel of {@code user}'s slot on {@code node}.
   */
  private void awaitNewsSubscribedOn(RedisClusterNode node, UserId user) {
    String channel = NewsChannels.shardChannel(user);
    await("the news of " + user + " subscribed on " + node.getUri())
        .atMost(Duration.ofSeconds(30))
        .until(() -> subscribers(node, channel) > 0);
  }

  /** {@code PUBSUB SHARDNUMSUB channel} on {@code node}. */
  private long subscribers(RedisClusterNode node, String channel) {
    return on(node).pubsubShardNumsub(channel).getOrDefault(channel, 0L);
  }

  private int cachedScripts(RedisClusterNode node) {
    return Integer.parseInt(infoField(node, "memory", "number_of_cached_scripts"));
  }

  private String infoField(RedisClusterNode node, String section, String field) {
    return on(node)
        .info(section)
        .lines()
        .map(String::strip)
        .filter(line -> line.startsWith(field + ":"))
        .map(line -> line.substring(field.length() + 1))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + field + " in INFO " + section));
  }

  private String storedAck(UserId user) {
    return on(redis.masterOf(user)).hget(RedisExtension.keysOf(user).get(1), "dev:phone");
  }

  /** The commands of {@code node} alone. */
  private RedisCommands<String, String> on(RedisClusterNode node) {
    return cluster.node(node.getUri().getPort());
  }

  private RedisClusterNode replicaOf(RedisClusterNode master) {
    return cluster.topology().stream()
        .filter(node -> master.getNodeId().equals(node.getSlaveOf()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no replica of " + master.getUri()));
  }

  /** Waits until the replica has everything the master wrote (asynchronous replication). */
  private void awaitReplicated(RedisClusterNode master, RedisClusterNode replica) {
    await("the replica " + replica.getUri() + " in sync")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                infoField(replica, "replication", "slave_repl_offset")
                    .equals(infoField(master, "replication", "master_repl_offset")));
  }
}
