package io.messenger.system;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts, once per test JVM, the whole system as separate processes: two history-service instances
 * on one fresh keyspace of the real Cassandra, two sync-service instances on the real Redis (both
 * containers by default, see {@link Stores}; each talking to its own history instance), and one
 * sync-service whose history-service is unreachable (for the 503 path). Stopped when the JVM exits.
 */
final class SystemUnderTest implements BeforeAllCallback {

  static final String CLIENT_SECRET = "system-test-client-secret-0123456789abcdef";
  static final String INTERNAL_SECRET = "system-test-internal-secret-0123456789abcdef";
  static final int INBOX_CAP = 50;
  static final Duration MAX_LAG = Duration.ofSeconds(4);

  private static ServiceProcess history1;
  private static ServiceProcess history2;
  private static ServiceProcess sync1;
  private static ServiceProcess sync2;
  private static ServiceProcess syncBroken;
  private static Map<String, String> commonEnvironment;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  /**
   * Starts the system once per JVM (also for jqwik properties, which have no Jupiter extensions).
   */
  static void start() throws Exception {
    synchronized (SystemUnderTest.class) {
      if (sync1 != null) {
        return;
      }
      Map<String, String> common = new HashMap<>();
      common.put("MESSENGER_JWT_SECRET", CLIENT_SECRET);
      common.put("MESSENGER_INTERNAL_SECRET", INTERNAL_SECRET);
      common.put("MESSENGER_REDIS_HOST", Stores.redisHost());
      common.put("MESSENGER_REDIS_PORT", Integer.toString(Stores.redisPort()));
      common.put("MESSENGER_CASSANDRA_HOST", Stores.cassandraHost());
      common.put("MESSENGER_CASSANDRA_PORT", Integer.toString(Stores.cassandraPort()));
      String keyspace = "sys_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
      common.put("MESSENGER_CASSANDRA_KEYSPACE", keyspace);
      common.put("MESSENGER_INBOX_MAX_ENTRIES", Integer.toString(INBOX_CAP));
      // The fuzzer and the concurrency tests send far faster than a client may: lift the rate
      // limits (they have tests of their own in the sync-service and the contract check).
      for (String kind : List.of("WRITES", "PULLS", "ACKS")) {
        common.put("MESSENGER_RATE_LIMIT_" + kind + "_PER_SECOND", "1000000");
        common.put("MESSENGER_RATE_LIMIT_" + kind + "_BURST", "1000000");
      }
      // The relay's promise, shortened so that the tests of late delivery wait seconds, not tens.
      common.put("MESSENGER_DELIVERY_MAX_LAG", MAX_LAG.toMillis() + "ms");
      // Five services and a fuzzer on two cores: connecting to Redis may take longer than the
      // default 2 s while the JVMs warm up (the command timeout stays 2 s).
      common.put("SPRING_DATA_REDIS_CONNECT_TIMEOUT", "10s");
      // Relay leases of this system only, whatever else shares the Redis.
      common.put("MESSENGER_DELIVERY_LEASE_PREFIX", "relay-lease-" + keyspace);
      Runtime.getRuntime().addShutdownHook(new Thread(SystemUnderTest::stopAll));
      commonEnvironment = Map.copyOf(common);
      Duration timeout = Duration.ofSeconds(240);
      // The first history instance creates the keyspace; the others start once it exists.
      history1 = ServiceProcess.start("history-1", "history.jar", common).awaitUp(timeout);
      history2 = ServiceProcess.start("history-2", "history.jar", common);
      sync1 = ServiceProcess.start("sync-1", "sync.jar", with(common, history1.baseUrl()));
      syncBroken =
          ServiceProcess.start(
              "sync-broken",
              "sync.jar",
              with(common, "http://127.0.0.1:" + ServiceProcess.freePort()));
      history2.awaitUp(timeout);
      sync2 = ServiceProcess.start("sync-2", "sync.jar", with(common, history2.baseUrl()));
      for (ServiceProcess p : List.of(sync1, syncBroken, sync2)) {
        p.awaitUp(timeout);
      }
    }
  }

  /** The environment of a sync-service instance of the system, for a test's own instance. */
  static Map<String, String> syncEnvironment() {
    Map<String, String> env = new HashMap<>(commonEnvironment);
    env.put("MESSENGER_HISTORY_BASE_URL", history1.baseUrl());
    return env;
  }

  private static Map<String, String> with(Map<String, String> common, String historyUrl) {
    Map<String, String> env = new HashMap<>(common);
    env.put("MESSENGER_HISTORY_BASE_URL", historyUrl);
    return env;
  }

  static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  static ServiceProcess sync1() {
    return sync1;
  }

  static ServiceProcess sync2() {
    return sync2;
  }

  static ServiceProcess syncBroken() {
    return syncBroken;
  }

  static ServiceProcess history1() {
    return history1;
  }

  static ServiceProcess history2() {
    return history2;
  }

  private static void stopAll() {
    List<CompletableFuture<Void>> stops =
        java.util.stream.Stream.of(sync1, sync2, syncBroken, history1, history2)
            .filter(java.util.Objects::nonNull)
            .map(p -> CompletableFuture.runAsync(p::stop))
            .toList();
    stops.forEach(CompletableFuture::join);
  }
}
