package io.messenger.sync.support;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.models.partitions.ClusterPartitionParser;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of 3 masters and 3 replicas on free ports of 127.0.0.1: {@code redis-server
 * --daemonize yes} processes started through a {@link Shell} (inside one container with host
 * networking, or on this machine: {@link RedisClusterExtension}), made a cluster with {@code
 * redis-cli --cluster create}, and read or driven over plain connections to each node.
 *
 * <p>The nodes listen on the host's loopback because cluster nodes announce their own address and
 * port (in {@code CLUSTER SLOTS}, {@code MOVED} replies) and clients then connect to what was
 * announced: behind a container's port mapping that is an address nobody can reach. The ports are
 * random ones below Linux's ephemeral range (no outgoing connection takes one meanwhile) that were
 * free when checked; each node's cluster bus port is set too ({@code cluster-port}), so none is
 * {@code port + 10000}. {@code cluster-node-timeout} is 3 s: a loaded 2-core machine that stalls a
 * node for a second must not fail a master over by itself.
 */
public final class LoopbackRedisCluster {

  /** Runs a command where the nodes run (a failure throws); {@link #dir()} takes their files. */
  public interface Shell {
    void run(String... command);

    String dir();

    /** Ends whatever the shell still runs (the container, the temporary directory). */
    void close();
  }

  static final int MASTERS = 3;
  private static final int NODES = 2 * MASTERS;
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(3);

  private final Shell shell;
  private final List<Integer> ports;
  private final List<Integer> busPorts;
  private final RedisClient client = RedisClient.create();
  private final Map<Integer, StatefulRedisConnection<String, String>> connections =
      new ConcurrentHashMap<>();

  private LoopbackRedisCluster(Shell shell, List<Integer> ports, List<Integer> busPorts) {
    this.shell = shell;
    this.ports = ports;
    this.busPorts = busPorts;
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .build());
  }

  /** Starts the nodes on fresh ports through {@code shell}, creates the cluster, awaits it. */
  static LoopbackRedisCluster start(Shell shell) {
    List<Integer> free = freePorts(2 * NODES);
    LoopbackRedisCluster cluster =
        new LoopbackRedisCluster(shell, free.subList(0, NODES), free.subList(NODES, 2 * NODES));
    try {
      cluster.ports.forEach(cluster::startNode);
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      cluster.ports.forEach(port -> create.add("127.0.0.1:" + port));
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      shell.run(create.toArray(String[]::new));
      cluster.awaitHealthy();
      return cluster;
    } catch (RuntimeException e) {
      cluster.stop();
      throw e;
    }
  }

  /**
   * {@code 127.0.0.1:<port>} of every node, comma-separated: {@code
   * spring.data.redis.cluster.nodes}.
   */
  public String nodes() {
    return ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
  }

  /**
   * Starts the node of {@code port} (again: with its {@code nodes.conf}, it rejoins the cluster).
   */
  public void startNode(int port) {
    String dir = shell.dir();
    shell.run(
        "redis-server",
        "--daemonize",
        "yes",
        "--bind",
        "127.0.0.1",
        "--port",
        Integer.toString(port),
        "--cluster-port",
        Integer.toString(busPorts.get(ports.indexOf(port))),
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes-" + port + ".conf",
        "--cluster-node-timeout",
        Long.toString(NODE_TIMEOUT.toMillis()),
        "--dir",
        dir,
        "--pidfile",
        dir + "/redis-" + port + ".pid",
        "--logfile",
        dir + "/redis-" + port + ".log",
        "--save",
        "",
        "--appendonly",
        "no");
    await("redis-server on port " + port)
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> answers(port));
  }

  /** SIGKILL of the node of {@code port}: a crash. */
  public void kill(int port) {
    StatefulRedisConnection<String, String> connection = connections.remove(port);
    if (connection != null) {
      connection.close();
    }
    shell.run("sh", "-c", "kill -KILL \"$(cat '" + shell.dir() + "/redis-" + port + ".pid')\"");
    await("redis-server on port " + port + " gone")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !answers(port));
  }

  /** The commands of the node of {@code port} alone (no redirection). */
  public RedisCommands<String, String> node(int port) {
    return connections.computeIfAbsent(port, p -> client.connect(uri(p))).sync();
  }

  /** The cluster as the first node that answers sees it ({@code CLUSTER NODES}). */
  public Partitions topology() {
    for (int port : ports) {
      if (answers(port)) {
        return ClusterPartitionParser.parse(node(port).clusterNodes());
      }
    }
    throw new IllegalStateException("no node of the cluster answers");
  }

  /** The masters that own slots and did not fail, in the order of their first slot. */
  public List<RedisClusterNode> masters() {
    return topology().stream()
        .filter(node -> node.is(NodeFlag.UPSTREAM) && !node.is(NodeFlag.FAIL))
        .filter(node -> !node.getSlots().isEmpty())
        .sorted(Comparator.comparing(node -> node.getSlots().get(0)))
        .toList();
  }

  /**
   * Waits until every node says {@code cluster_state:ok}, {@value #MASTERS} masters own all the
   * slots, and each has a replica whose link to it is up (and so has its data).
   */
  public void awaitHealthy() {
    await("a healthy Redis Cluster on " + nodes())
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(this::healthy);
  }

  private boolean healthy() {
    for (int port : ports) {
      if (!node(port).clusterInfo().contains("cluster_state:ok")) {
        return false;
      }
    }
    Partitions topology = topology();
    List<RedisClusterNode> replicas =
        topology.stream().filter(node -> node.is(NodeFlag.REPLICA)).toList();
    if (masters().size() != MASTERS || replicas.size() != MASTERS) {
      return false;
    }
    for (RedisClusterNode replica : replicas) {
      if (!node(replica.getUri().getPort()).info("replication").contains("master_link_status:up")) {
        return false;
      }
    }
    return topology.stream().allMatch(RedisClusterNode::isConnected);
  }

  /** Whether a new connection to the node of {@code port} gets PONG. */
  private boolean answers(int port) {
    try (StatefulRedisConnection<String, String> probe = client.connect(uri(port))) {
      return "PONG".equals(probe.sync().ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static RedisURI uri(int port) {
    return RedisURI.builder()
        .withHost("127.0.0.1")
        .withPort(port)
        .withTimeout(Duration.ofSeconds(5))
        .build();
  }

  /** Kills every node and ends the shell. */
  void stop() {
    client.shutdown();
    for (int port : ports) {
      try {
        shell.run("sh", "-c", "kill -KILL \"$(cat '" + shell.dir() + "/redis-" + port + ".pid')\"");
      } catch (RuntimeException e) {
        // not running (never started, or killed by a test)
      }
    }
    shell.close();
  }

  /**
   * {@code count} distinct ports of 20000-31999, below Linux's ephemeral range (32768-60999), that
   * were free on 127.0.0.1 when checked.
   */
  private static List<Integer> freePorts(int count) {
    Set<Integer> ports = new LinkedHashSet<>();
    while (ports.size() < count) {
      int port = 20_000 + ThreadLocalRandom.current().nextInt(12_000);
      if (!ports.contains(port) && free(port)) {
        ports.add(port);
      }
    }
    return List.copyOf(ports);
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
