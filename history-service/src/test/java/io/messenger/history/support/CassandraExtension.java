package io.messenger.history.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The real Cassandra the integration tests run against. By default a single-node container started
 * once per test JVM and shared by every test class (Testcontainers; image {@code
 * MESSENGER_CASSANDRA_IMAGE} or the system property {@code messenger.test.cassandra-image}, default
 * {@code cassandra:5.0}; ready on its log line {@code Starting listening for CQL clients}, so no
 * {@code cqlsh} is needed inside), stopped when the JVM exits. With {@code
 * MESSENGER_TEST_STORES=external} it uses the Cassandra at {@code MESSENGER_CASSANDRA_HOST} /
 * {@code MESSENGER_CASSANDRA_PORT} (127.0.0.1:9042) instead, starting one through {@code
 * scripts/infra.sh up --throwaway} if nothing listens. Each test JVM gets its own keyspace, so runs
 * never see each other's data; tests use fresh random ids.
 */
public final class CassandraExtension implements BeforeAllCallback {

  private static final Object LOCK = new Object();
  private static final Logger log = LoggerFactory.getLogger(CassandraExtension.class);
  private static volatile boolean ready;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (LOCK) {
      if (ready) {
        return;
      }
      String contactPoint;
      if ("external".equalsIgnoreCase(env("MESSENGER_TEST_STORES", "containers"))) {
        String host = env("MESSENGER_CASSANDRA_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("MESSENGER_CASSANDRA_PORT", "9042"));
        if (!listening(host, port)) {
          startWithLauncher();
          if (!listening(host, port)) {
            throw new IllegalStateException("no Cassandra on " + host + ":" + port);
          }
        }
        contactPoint = host + ":" + port;
      } else {
        GenericContainer<?> cassandra = startContainer();
        contactPoint = cassandra.getHost() + ":" + cassandra.getMappedPort(9042);
      }
      // System properties outrank application.yml: every Spring context of this JVM uses them.
      System.setProperty("spring.cassandra.contact-points", contactPoint);
      System.setProperty(
          "messenger.cassandra.keyspace",
          "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
      // Schema changes wait for the driver's debounce window; 10 ms keeps test start-up short.
      System.setProperty(
          "datastax-java-driver.advanced.metadata.schema.debouncer.window", "10 milliseconds");
      ready = true;
    }
  }

  /**
   * A throwaway single node, tuned to start fast: one token, no gossip settling, non-durable system
   * tables (test data only). The official image and the local one (scripts/docker-local.sh) both
   * honour these variables.
   */
  static GenericContainer<?> startContainer() {
    String image =
        System.getProperty(
            "messenger.test.cassandra-image", env("MESSENGER_CASSANDRA_IMAGE", "cassandra:5.0"));
    log.info("starting a Cassandra container ({}) for this test run", image);
    GenericContainer<?> cassandra =
        new GenericContainer<>(DockerImageName.parse(image).asCompatibleSubstituteFor("cassandra"))
            .withExposedPorts(9042)
            .withEnv("CASSANDRA_NUM_TOKENS", "1")
            .withEnv("MAX_HEAP_SIZE", "1G")
            .withEnv("HEAP_NEWSIZE", "200M")
            .withEnv(
                "JVM_EXTRA_OPTS",
                "-Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=100"
                    + " -Dcassandra.unsafesystem=true")
            .waitingFor(Wait.forLogMessage(".*Starting listening for CQL clients.*\\n", 1))
            .withStartupTimeout(Duration.ofMinutes(4));
    cassandra.start();
    Runtime.getRuntime().addShutdownHook(new Thread(cassandra::stop, "cassandra-container-stop"));
    log.info(
        "Cassandra container {} ready at {}:{}",
        cassandra.getContainerId().substring(0, 12),
        cassandra.getHost(),
        cassandra.getMappedPort(9042));
    return cassandra;
  }

  private static void startWithLauncher() throws IOException, InterruptedException {
    Path root = Path.of("").toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("scripts/infra.sh"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new IllegalStateException(
          "no Cassandra is listening and scripts/infra.sh was not found: start one first");
    }
    Process process =
        new ProcessBuilder("bash", root.resolve("scripts/infra.sh").toString(), "up", "--throwaway")
            .inheritIO()
            .start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("scripts/infra.sh up --throwaway failed");
    }
  }

  static boolean listening(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
