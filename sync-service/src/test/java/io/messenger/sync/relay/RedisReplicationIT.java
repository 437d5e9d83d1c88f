package io.messenger.sync.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.messenger.sync.support.RedisExtension;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link RedisReplication} against a real master and its replica (two containers, image as for
 * {@link RedisExtension}): a mark taken after a write is caught up once the replica has the write,
 * and not while the replica is frozen ({@code docker pause}, as a replica lagging behind a master
 * that is about to die); a Redis without replicas needs no wait at all.
 */
class RedisReplicationIT {

  @RegisterExtension static final RedisExtension standalone = new RedisExtension();

  private static Network network;
  private static GenericContainer<?> master;
  private static GenericContainer<?> replica;
  private static LettuceConnectionFactory connections;
  private static StringRedisTemplate redis;
  private static RedisReplication replication;

  @BeforeAll
  static void startPair() {
    String image =
        System.getProperty(
            "messenger.test.redis-image",
            System.getenv().getOrDefault("MESSENGER_REDIS_IMAGE", "redis:7"));
    DockerImageName name = DockerImageName.parse(image).asCompatibleSubstituteFor("redis");
    network = Network.newNetwork();
    master =
        new GenericContainer<>(name)
            .withNetwork(network)
            .withNetworkAliases("master")
            .withExposedPorts(6379)
            .withCommand("redis-server", "--save", "", "--appendonly", "no")
            .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
    master.start();
    replica =
        new GenericContainer<>(name)
            .withNetwork(network)
            .withExposedPorts(6379)
            .withCommand(
                "redis-server", "--save", "", "--appendonly", "no", "--replicaof", "master", "6379")
            .waitingFor(Wait.forLogMessage(".*MASTER <-> REPLICA sync: Finished.*\\n", 1));
    replica.start();
    connections =
        new LettuceConnectionFactory(
            new RedisStandaloneConfiguration(master.getHost(), master.getMappedPort(6379)));
    connections.afterPropertiesSet();
    connections.start();
    redis = new StringRedisTemplate(connections);
    replication = new RedisReplication(redis);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !RedisReplication.onlineReplicaOffsets(info()).isEmpty());
  }

  @AfterAll
  static void stopPair() {
    if (connections != null) {
      connections.destroy();
    }
    if (replica != null) {
      replica.stop();
    }
    if (master != null) {
      master.stop();
    }
    if (network != null) {
      network.close();
    }
  }

  @Test
  void aMarkIsCaughtUpOnceTheReplicaHasEveryWriteBeforeIt() {
    redis.opsForValue().set("replicated-" + System.nanoTime(), "x");
    ReplicaMark mark = replication.mark();

    assertThat(mark.none()).isFalse();
    // A replica reports its offset about once a second.
    await().atMost(Duration.ofSeconds(10)).until(() -> replication.caughtUp(mark));
  }

  @Test
  void aFrozenReplicaHoldsTheMarkBackUntilItHasTheWrites() {
    var docker = DockerClientFactory.instance().client();
    docker.pauseContainerCmd(replica.getContainerId()).exec();
    ReplicaMark mark;
    try {
      redis.opsForValue().set("unreplicated-" + System.nanoTime(), "x");
      mark = replication.mark();
      ReplicaMark held = mark;
      // The master still counts the frozen replica as online, with the offset it last reported.
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !replication.caughtUp(held));
    } finally {
      docker.unpauseContainerCmd(replica.getContainerId()).exec();
    }
    ReplicaMark held = mark;
    await().atMost(Duration.ofSeconds(15)).until(() -> replication.caughtUp(held));
  }

  @Test
  void aRedisWithoutReplicasNeedsNoWait() {
    RedisReplication alone = new RedisReplication(standalone.redis());

    ReplicaMark mark = alone.mark();

    assertThat(mark.none()).isTrue();
    assertThat(alone.caughtUp(mark)).isTrue();
  }

  private static Properties info() {
    return redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("replication"));
  }
}
