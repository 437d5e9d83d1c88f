package io.messenger.sync.support;

import io.messenger.model.UserId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The real Redis for integration tests. By default a container started once per test JVM and shared
 * by every test class (Testcontainers; image {@code MESSENGER_REDIS_IMAGE} or the system property
 * {@code messenger.test.redis-image}, default {@code redis:7}), stopped when the JVM exits. With
 * {@code MESSENGER_TEST_STORES=external} it uses the Redis at {@code MESSENGER_REDIS_HOST}:{@code
 * MESSENGER_REDIS_PORT} (default 127.0.0.1:6379) instead, starting one with {@code scripts/infra.sh
 * up --throwaway redis} if nothing answers PING there.
 *
 * <p>Tests never flush the Redis (an external one may be shared with other test runs): they use
 * fresh random user ids ({@link #newUser()}) and the extension deletes those users' keys after each
 * test. Register it as a static field with {@code @RegisterExtension}.
 */
public final class RedisExtension implements BeforeAllCallback, AfterEachCallback {

  private static final Object LOCK = new Object();
  private static final Logger log = LoggerFactory.getLogger(RedisExtension.class);
  private static GenericContainer<?> container;
  private static LettuceConnectionFactory connections;
  private static StringRedisTemplate template;

  private final List<UserId> users = new ArrayList<>();

  /** The Redis host (starts the container on first use). */
  public static String host() {
    synchronized (LOCK) {
      if (external()) {
        return env("MESSENGER_REDIS_HOST", "127.0.0.1");
      }
      return container().getHost();
    }
  }

  /** The Redis port (starts the container on first use). */
  public static int port() {
    synchronized (LOCK) {
      if (external()) {
        return Integer.parseInt(env("MESSENGER_REDIS_PORT", "6379"));
      }
      return container().getMappedPort(6379);
    }
  }

  /**
   * Whether the tests use local processes instead of containers ({@code MESSENGER_TEST_STORES}).
   */
  static boolean external() {
    return "external".equalsIgnoreCase(env("MESSENGER_TEST_STORES", "containers"));
  }

  /**
   * The Redis image of the containers: {@code messenger.test.redis-image}, default {@code redis:7}.
   */
  static String image() {
    return System.getProperty(
        "messenger.test.redis-image", env("MESSENGER_REDIS_IMAGE", "redis:7"));
  }

  private static GenericContainer<?> container() {
    if (container == null) {
      String image = image();
      log.info("starting a Redis container ({}) for this test run", image);
      GenericContainer<?> redis =
          new GenericContainer<>(DockerImageName.parse(image).asCompatibleSubstituteFor("redis"))
              .withExposedPorts(6379)
              .withCommand("redis-server", "--save", "", "--appendonly", "no")
              .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1))
              .withStartupTimeout(Duration.ofMinutes(2));
      redis.start();
      Runtime.getRuntime().addShutdownHook(new Thread(redis::stop, "redis-container-stop"));
      log.info(
          "Redis container {} ready at {}:{}",
          redis.getContainerId().substring(0, 12),
          redis.getHost(),
          redis.getMappedPort(6379));
      container = redis;
    }
    return container;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    synchronized (LOCK) {
      if (template != null) {
        return;
      }
      if (external() && !answersPing()) {
        startThrowaway();
      }
      connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(host(), port()));
      connections.afterPropertiesSet();
      connections.start();
      template = new StringRedisTemplate(connections);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> keys = new ArrayList<>();
    synchronized (users) {
      for (UserId user : users) {
        keys.addAll(keysOf(user));
      }
      users.clear();
    }
    if (!keys.isEmpty()) {
      template.delete(keys);
    }
  }

  /** A user id no other test (or test run) uses; its keys are deleted after the test. */
  public UserId newUser() {
    UserId user = UserId.of("it-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
    synchronized (users) {
      users.add(user);
    }
    return user;
  }

  /** A plain template on the same Redis, to inspect or damage keys. */
  public StringRedisTemplate redis() {
    return template;
  }

  /** The connection factory, for building stores under test. */
  public LettuceConnectionFactory connections() {
    return connections;
  }

  /** Every Redis key of a user's inbox. */
  public static List<String> keysOf(UserId user) {
    String tag = "{" + user.value() + "}";
    return List.of("inbox:" + tag, "inbox-meta:" + tag, "inbox-dedupe:" + tag);
  }

  /** The Redis server's clock ({@code TIME}) in milliseconds: the clock stream ids are made of. */
  public long serverMillis() {
    Long millis = template.execute((RedisCallback<Long>) c -> c.serverCommands().time());
    return Objects.requireNonNull(millis, "TIME");
  }

  /** Simulates a lost inbox (flush, eviction): deletes all of one user's keys. */
  public void loseInbox(UserId user) {
    template.delete(keysOf(user));
  }

  private static boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host(), port()), 1_000);
      socket.setSoTimeout(1_000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int read = in.read(reply);
      return read >= 5 && new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static void startThrowaway() throws IOException, InterruptedException {
    Path script = repoRoot().resolve("scripts/infra.sh");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException(
          "No Redis answers PING at "
              + host()
              + ":"
              + port()
              + " and "
              + script
              + " does not exist. Start a Redis 7 (e.g. redis-server --port "
              + port()
              + " --save '' --appendonly no) or set MESSENGER_REDIS_HOST/MESSENGER_REDIS_PORT.");
    }
    Process process =
        new ProcessBuilder("bash", script.toString(), "up", "--throwaway", "redis")
            .directory(repoRoot().toFile())
            .inheritIO()
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0 || !answersPing()) {
      process.destroy();
      throw new IllegalStateException(
          "No Redis answers PING at "
              + host()
              + ":"
              + port()
              + ", and '"
              + script
              + " up --throwaway redis' did not start one. Start a Redis 7 there, or set"
              + " MESSENGER_REDIS_HOST/MESSENGER_REDIS_PORT.");
    }
  }

  private static Path repoRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("scripts")) && Files.exists(p.resolve("mvnw"))) {
        return p;
      }
    }
    return dir.getParent() == null ? dir : dir.getParent();
  }
}
