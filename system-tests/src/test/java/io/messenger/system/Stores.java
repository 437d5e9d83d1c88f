package io.messenger.system;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The real Redis and Cassandra of the system under test, and direct access to the Redis, to inflict
 * what operators fear (a flush) and to inspect.
 *
 * <p>By default both are containers started once per test JVM (Testcontainers), shared by every
 * test class and stopped when the JVM exits; the images come from {@code MESSENGER_REDIS_IMAGE} /
 * {@code MESSENGER_CASSANDRA_IMAGE} (or the system properties {@code messenger.test.redis-image} /
 * {@code messenger.test.cassandra-image}), defaults {@code redis:7} and {@code cassandra:5.0}. With
 * {@code MESSENGER_TEST_STORES=external} the servers at {@code MESSENGER_REDIS_HOST/PORT} and
 * {@code MESSENGER_CASSANDRA_HOST/PORT} are used instead; the tests flush that Redis, so never
 * point them at a shared one.
 */
final class Stores {

  private static final Logger log = LoggerFactory.getLogger(Stores.class);
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static GenericContainer<?> redisContainer;
  private static GenericContainer<?> cassandraContainer;

  private Stores() {}

  private static boolean external() {
    return "external".equalsIgnoreCase(SystemUnderTest.env("MESSENGER_TEST_STORES", "containers"));
  }

  static synchronized String redisHost() {
    return external()
        ? SystemUnderTest.env("MESSENGER_REDIS_HOST", "127.0.0.1")
        : redisContainer().getHost();
  }

  static synchronized int redisPort() {
    return external()
        ? Integer.parseInt(SystemUnderTest.env("MESSENGER_REDIS_PORT", "6379"))
        : redisContainer().getMappedPort(6379);
  }

  static synchronized String cassandraHost() {
    return external()
        ? SystemUnderTest.env("MESSENGER_CASSANDRA_HOST", "127.0.0.1")
        : cassandraContainer().getHost();
  }

  static synchronized int cassandraPort() {
    return external()
        ? Integer.parseInt(SystemUnderTest.env("MESSENGER_CASSANDRA_PORT", "9042"))
        : cassandraContainer().getMappedPort(9042);
  }

  private static String image(String property, String variable, String fallback) {
    return System.getProperty(property, SystemUnderTest.env(variable, fallback));
  }

  private static GenericContainer<?> redisContainer() {
    if (redisContainer == null) {
      String image = image("messenger.test.redis-image", "MESSENGER_REDIS_IMAGE", "redis:7");
      redisContainer =
          started(
              "Redis",
              new GenericContainer<>(
                      DockerImageName.parse(image).asCompatibleSubstituteFor("redis"))
                  .withExposedPorts(6379)
                  .withCommand("redis-server", "--save", "", "--appendonly", "no")
                  .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1))
                  .withStartupTimeout(Duration.ofMinutes(2)),
              6379);
    }
    return redisContainer;
  }

  /** A throwaway single node tuned to start fast (as the history-service's CassandraExtension). */
  private static GenericContainer<?> cassandraContainer() {
    if (cassandraContainer == null) {
      String image =
          image("messenger.test.cassandra-image", "MESSENGER_CASSANDRA_IMAGE", "cassandra:5.0");
      cassandraContainer =
          started(
              "Cassandra",
              new GenericContainer<>(
                      DockerImageName.parse(image).asCompatibleSubstituteFor("cassandra"))
                  .withExposedPorts(9042)
                  .withEnv("CASSANDRA_NUM_TOKENS", "1")
                  .withEnv("MAX_HEAP_SIZE", "1G")
                  .withEnv("HEAP_NEWSIZE", "200M")
                  .withEnv(
                      "JVM_EXTRA_OPTS",
                      "-Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=100"
                          + " -Dcassandra.unsafesystem=true")
                  .waitingFor(Wait.forLogMessage(".*Starting listening for CQL clients.*\\n", 1))
                  .withStartupTimeout(Duration.ofMinutes(4)),
              9042);
    }
    return cassandraContainer;
  }

  private static GenericContainer<?> started(String what, GenericContainer<?> container, int port) {
    log.info(
        "starting a {} container ({}) for this test run", what, container.getDockerImageName());
    container.start();
    Runtime.getRuntime()
        .addShutdownHook(new Thread(container::stop, what.toLowerCase() + "-container-stop"));
    log.info(
        "{} container {} ready at {}:{}",
        what,
        container.getContainerId().substring(0, 12),
        container.getHost(),
        container.getMappedPort(port));
    return container;
  }

  static synchronized StatefulRedisConnection<String, String> redis() {
    if (connection == null) {
      client = RedisClient.create("redis://" + redisHost() + ":" + redisPort());
      connection = client.connect();
    }
    return connection;
  }

  /** {@code CLIENT PAUSE <millis> WRITE}: every client's writes (and scripts) wait. */
  static void pauseWrites(long millis) {
    client("PAUSE", Long.toString(millis), "WRITE");
  }

  /** {@code CLIENT UNPAUSE}. */
  static void unpause() {
    client("UNPAUSE");
  }

  private static void client(String... args) {
    var codec = io.lettuce.core.codec.StringCodec.UTF8;
    var command = new io.lettuce.core.protocol.CommandArgs<>(codec);
    for (String arg : args) {
      command.add(arg);
    }
    redis()
        .sync()
        .dispatch(
            io.lettuce.core.protocol.CommandType.CLIENT,
            new io.lettuce.core.output.StatusOutput<>(codec),
            command);
  }

  /** Number of entries in a user's inbox stream. */
  static long inboxLength(String user) {
    return redis().sync().xlen("inbox:{" + user + "}");
  }

  /** The stores as the fuzzer compares them: the users' inbox keys, and the history as text. */
  record Snapshot(Map<String, Object> redis, String history) {}

  static Snapshot snapshot(List<String> users, String history) {
    return new Snapshot(redisState(users), history);
  }

  /**
   * Every inbox key of {@code users}: the stream's length and newest id, the meta hash (device
   * cursors, incarnation, trim marks) and the dedupe set's size. Stream ids carry the time, so any
   * append shows even when the cap keeps the length constant.
   */
  static Map<String, Object> redisState(List<String> users) {
    var redis = redis().sync();
    Map<String, Object> state = new TreeMap<>();
    for (String user : users) {
      String tag = "{" + user + "}";
      var newest =
          redis.xrevrange(
              "inbox:" + tag,
              io.lettuce.core.Range.create("-", "+"),
              io.lettuce.core.Limit.create(0, 1));
      state.put(
          user + ".stream",
          redis.xlen("inbox:" + tag) + "/" + (newest.isEmpty() ? "-" : newest.get(0).getId()));
      state.put(user + ".meta", new TreeMap<>(redis.hgetall("inbox-meta:" + tag)));
      state.put(user + ".dedupe", redis.zcard("inbox-dedupe:" + tag));
    }
    return state;
  }

  /** {@code value} as a JSON string literal (any char, lone surrogates included, escaped). */
  static String jsonString(String value) {
    StringBuilder json = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c) || c > 0x7e) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append('"').toString();
  }
}
