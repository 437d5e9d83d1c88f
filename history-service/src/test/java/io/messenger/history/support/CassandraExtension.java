package io.messenger.history.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Finds the real Cassandra the integration tests run against, or starts one through the project's
 * launcher ({@code scripts/infra.sh up --throwaway}). Host and port come from {@code
 * MESSENGER_CASSANDRA_HOST} / {@code MESSENGER_CASSANDRA_PORT} (127.0.0.1:9042). Each test JVM gets
 * its own keyspace, so runs never see each other's data; tests use fresh random ids.
 */
public final class CassandraExtension implements BeforeAllCallback {

  private static final Object LOCK = new Object();
  private static volatile boolean ready;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (LOCK) {
      if (ready) {
        return;
      }
      String host = env("MESSENGER_CASSANDRA_HOST", "127.0.0.1");
      int port = Integer.parseInt(env("MESSENGER_CASSANDRA_PORT", "9042"));
      if (!listening(host, port)) {
        startWithLauncher();
        if (!listening(host, port)) {
          throw new IllegalStateException("no Cassandra on " + host + ":" + port);
        }
      }
      System.setProperty(
          "messenger.cassandra.keyspace",
          "it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
      // Schema changes wait for the driver's debounce window; 10 ms keeps test start-up short.
      System.setProperty(
          "datastax-java-driver.advanced.metadata.schema.debouncer.window", "10 milliseconds");
      ready = true;
    }
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
