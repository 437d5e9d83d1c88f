package io.messenger.sync.support;

import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.messenger.model.UserId;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Redis Cluster for integration tests ({@link LoopbackRedisCluster}: 3 masters, 3 replicas),
 * started on first use once per test JVM and stopped when the JVM exits.
 *
 * <p>By default its nodes run in one container of the Redis image {@link RedisExtension} uses
 * ({@code MESSENGER_REDIS_IMAGE} or {@code messenger.test.redis-image}, default {@code redis:7},
 * which has {@code redis-cli} too) with host networking (Linux only), so that what the nodes
 * announce is what the client can reach; stopping the container ends them all. With {@code
 * MESSENGER_TEST_STORES=external} they are {@code redis-server} processes of this machine instead
 * (the same commands, no Docker).
 *
 * <p>Tests use fresh random users, placed on the master they need ({@link #newUserOn}), and the
 * extension deletes their inbox keys after each test. Register it as a static field with
 * {@code @RegisterExtension}.
 */
public final class RedisClusterExtension implements AfterEachCallback {

  private static final Logger log = LoggerFactory.getLogger(RedisClusterExtension.class);
  private static final Object LOCK = new Object();
  private static LoopbackRedisCluster cluster;

  private final List<UserId> users = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();

  /** The cluster (started on first use). */
  public static LoopbackRedisCluster cluster() {
    synchronized (LOCK) {
      if (cluster == null) {
        long start = System.nanoTime();
        LoopbackRedisCluster started = LoopbackRedisCluster.start(shell());
        Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "redis-cluster-stop"));
        log.info(
            "Redis Cluster ready on {} in {} ms",
            started.nodes(),
            Duration.ofNanos(System.nanoTime() - start).toMillis());
        cluster = started;
      }
      return cluster;
    }
  }

  /** {@code spring.data.redis.cluster.nodes} of the cluster (started on first use). */
  public static String nodes() {
    return cluster().nodes();
  }

  private static LoopbackRedisCluster.Shell shell() {
    if (RedisExtension.external()) {
      try {
        return new LocalShell(Files.createTempDirectory("messenger-redis-cluster-"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String image = RedisExtension.image();
    log.info("starting a container ({}, host network) for a Redis Cluster", image);
    GenericContainer<?> container =
        new GenericContainer<>(DockerImageName.parse(image).asCompatibleSubstituteFor("redis"))
            .withNetworkMode("host")
            .withCommand("sleep", "infinity")
            .waitingFor(Wait.forSuccessfulCommand("redis-cli --version"))
            .withStartupTimeout(Duration.ofMinutes(2));
    container.start();
    return new ContainerShell(container);
  }

  /** Commands run in a container (of the Redis image, with host networking), files in its /tmp. */
  private record ContainerShell(GenericContainer<?> container)
      implements LoopbackRedisCluster.Shell {
    @Override
    public void run(String... command) {
      try {
        ExecResult result = container.execInContainer(command);
        if (result.getExitCode() != 0) {
          throw new IllegalStateException(
              String.join(" ", command)
                  + " exited with "
                  + result.getExitCode()
                  + ": "
                  + result.getStdout()
                  + result.getStderr());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
      }
    }

    @Override
    public String dir() {
      return "/tmp";
    }

    @Override
    public void close() {
      container.stop();
    }
  }

  /** Commands run on this machine, files in a temporary directory (deleted on close). */
  private record LocalShell(Path files) implements LoopbackRedisCluster.Shell {
    @Override
    public void run(String... command) {
      try {
        Path output = Files.createTempFile(files, "command-", ".out");
        Process process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
          process.destroyForcibly();
          throw new IllegalStateException(
              String.join(" ", command) + " failed: " + Files.readString(output));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
      }
    }

    @Override
    public String dir() {
      return files.toString();
    }

    @Override
    public void close() {
      try (Stream<Path> all = Files.walk(files)) {
        all.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException e) {
        log.warn("cannot delete {}: {}", files, e.toString());
      }
    }
  }

  /** The cluster slot of a user's keys ({@code {<userId>}}). */
  public static int slotOf(UserId user) {
    return SlotHash.getSlot("{" + user.value() + "}");
  }

  /** The master that owns {@code user}'s slot now. */
  public RedisClusterNode masterOf(UserId user) {
    int slot = slotOf(user);
    return cluster().masters().stream()
        .filter(master -> master.hasSlot(slot))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no master owns slot " + slot));
  }

  /** A new user whose keys are on {@code master}. */
  public UserId newUserOn(RedisClusterNode master) {
    UserId user;
    do {
      user = UserId.of("it-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
    } while (!master.hasSlot(slotOf(user)));
    synchronized (users) {
      users.add(user);
    }
    return user;
  }

  /** One new user on each master, in the masters' order (of their first slot). */
  public List<UserId> usersOnEveryMaster() {
    return cluster().masters().stream().map(this::newUserOn).toList();
  }

  /** A new user, on the masters in turn. */
  public UserId newUser() {
    List<RedisClusterNode> masters = cluster().masters();
    return newUserOn(masters.get(next.getAndIncrement() % masters.size()));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<UserId> done;
    synchronized (users) {
      done = List.copyOf(users);
      users.clear();
    }
    done.forEach(this::loseInbox);
  }

  /** Simulates a lost inbox (flush, eviction): deletes all of one user's keys. */
  public void loseInbox(UserId user) {
    cluster()
        .node(masterOf(user).getUri().getPort())
        .del(RedisExtension.keysOf(user).toArray(String[]::new));
  }
}
