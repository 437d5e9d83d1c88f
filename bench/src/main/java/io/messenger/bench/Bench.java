package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark: runs every scenario against a running sync-service and history-service (started by
 * {@code scripts/bench.sh}) and the raw stores beside them, then writes {@code results.json},
 * {@code results.md} and PNG plots into the output directory.
 *
 * <pre>
 * java -cp ... io.messenger.bench.Bench --sync http://127.0.0.1:18181 --history http://127.0.0.1:18182
 *     --redis 127.0.0.1:6393 --cassandra 127.0.0.1:9042 --keyspace bench --repo . --out DIR [--smoke]
 *     [--only pull,send,ack,page,longpoll] [--park 1000]
 * java -cp ... io.messenger.bench.Bench --cluster --redis 127.0.0.1:17301,...,127.0.0.1:17306
 *     --cassandra 127.0.0.31:9042,127.0.0.32:9042,127.0.0.33:9042 --datacenter datacenter1
 *     --keyspace bench_cluster ...
 * </pre>
 *
 * With {@code --cluster} the raw baselines and the set-up talk to a Redis Cluster and a Cassandra
 * ring ({@code scripts/bench.sh --cluster}; see {@link RawStores}); every scenario but {@code
 * groups} (which measures one Redis's memory and key count) runs there. The report says which
 * deployment ran ({@code summary.deployment}, {@code summary.topology}, and {@code deployment} in
 * every row of results.json).
 *
 * <p>Besides the default scenarios, {@code --only} takes {@code memory} (a sample of both services'
 * heap, RSS and PSS) and {@code park} ({@code --park N} long-polls parked at once and held while
 * memory is sampled): see {@link MemoryScenario}; and {@code groups} (large groups by read
 * diffusion: send latency by group size up to 100,000 members, Redis bytes per message, pull
 * latency by the number of large groups): see {@link GroupScenario}; and {@code largepoll} (the
 * long-poll scenario's large-group case alone, on a group of its own, 5 rounds of warm-up and 10
 * counted: for working on the wake-up path without the send scenario before it).
 *
 * <p>One class per scenario: {@link PullScenario}, {@link SendScenario}, {@link AckScenario},
 * {@link PageScenario}, {@link LongPollScenario}; this class parses the arguments, runs them in
 * order, keeps their results and writes the report.
 *
 * <p>Exits 2 when a scenario produced no successful call (the smoke check relies on that); never on
 * a speed.
 */
public final class Bench {

  final Api api;
  final RawStores raw;
  final boolean smoke;
  final String run;
  private final List<Result> results = new ArrayList<>();
  final Map<String, Object> summary = new LinkedHashMap<>();
  final Duration warmup;
  final Duration measure;
  int parkClients = 1000;
  private final List<String> done = new ArrayList<>();
  private MemoryScenario memory;

  private Bench(Api api, RawStores raw, boolean smoke) {
    this.api = api;
    this.raw = raw;
    this.smoke = smoke;
    this.run = "b" + Long.toString(System.currentTimeMillis(), 36);
    this.warmup = smoke ? Duration.ofMillis(200) : Duration.ofSeconds(2);
    this.measure = smoke ? Duration.ofMillis(500) : Duration.ofSeconds(5);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--smoke") || args[i].equals("--cluster")) {
        opts.put(args[i].substring(2), "true");
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        opts.put(args[i].substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    boolean smoke = opts.containsKey("smoke");
    boolean cluster = opts.containsKey("cluster");
    Path out = Path.of(opts.getOrDefault("out", "docs/benchmarks/latest"));
    String only = opts.getOrDefault("only", "pull,send,ack,page,longpoll,list");
    if (cluster && List.of(only.split(",")).contains("groups")) {
      System.err.println(
          "[bench] scenario groups measures one Redis (INFO memory, DBSIZE, MEMORY USAGE):"
              + " not with --cluster");
      System.exit(1);
    }
    Files.createDirectories(out);
    Api api =
        new Api(
            opts.getOrDefault("sync", "http://127.0.0.1:18181"),
            opts.getOrDefault("history", "http://127.0.0.1:18182"));
    Instant started = Instant.now();
    try (RawStores raw =
        new RawStores(
            cluster,
            opts.getOrDefault("redis", "127.0.0.1:6393"),
            opts.getOrDefault("cassandra", "127.0.0.1:9042"),
            opts.getOrDefault("datacenter", "datacenter1"),
            opts.getOrDefault("keyspace", "bench"),
            Path.of(opts.getOrDefault("repo", ".")))) {
      Bench bench = new Bench(api, raw, smoke);
      bench.parkClients = Integer.parseInt(opts.getOrDefault("park", "1000"));
      bench.summary.put("mode", smoke ? "smoke" : "full");
      Map<String, Object> topology = raw.topology();
      bench.summary.put("deployment", topology.remove("deployment"));
      bench.summary.put("topology", topology);
      log("deployment: " + bench.summary.get("deployment") + " " + topology);
      bench.summary.put("label", opts.getOrDefault("label", ""));
      bench.summary.put("startedAt", started.toString());
      bench.summary.put("loadAverageBefore", loadAverage());
      LoadSampler load = LoadSampler.start();
      bench.runAll(List.of(only.split(",")));
      load.stop();
      bench.summary.put("loadAverageAfter", loadAverage());
      bench.summary.put("loadAverage1mDuringRun", load.figures());
      bench.summary.put("seconds", Duration.between(started, Instant.now()).toSeconds());
      Report.write(out, bench.summary, bench.results);
      System.out.println(Files.readString(out.resolve("results.md")));
      Map<String, Long> okByScenario = new LinkedHashMap<>();
      for (String s : only.split(",")) {
        if (!s.equals("memory")) { // a sample, not calls
          okByScenario.put(s, 0L);
        }
      }
      for (Result r : bench.results) {
        okByScenario.merge(r.scenario, r.ops, Long::sum);
        if (r.ops == 0) {
          System.err.println(
              "[bench] warning: no successful call in " + r.name + ": " + r.lastError);
        }
      }
      okByScenario.values().removeIf(n -> n > 0);
      if (!okByScenario.isEmpty()) {
        System.err.println(
            "[bench] scenarios without a single successful call: " + okByScenario.keySet());
        System.exit(2);
      }
    }
    System.exit(0);
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (Exception e) {
      return "unknown";
    }
  }

  private void runAll(List<String> scenarios) throws Exception {
    for (String s : scenarios) {
      long t0 = System.nanoTime();
      log("scenario " + s + " (load " + loadAverage() + ")");
      try {
        switch (s) {
          case "pull" -> new PullScenario(this).run();
          case "send" -> sends();
          case "ack" -> new AckScenario(this).run();
          case "page" -> new PageScenario(this).run();
          case "list" -> new ListScenario(this).run();
          case "longpoll" -> new LongPollScenario(this, bigGroup, bigMembers).run();
          case "largepoll" -> new LongPollScenario(this, null, List.of()).largeGroupOnly(5, 10);
          case "memory" -> memory().sample(done.isEmpty() ? "idle" : "after " + done);
          case "park" -> memory().park(parkClients);
          case "groups" -> new GroupScenario(this).run();
          default -> throw new IllegalArgumentException("unknown scenario " + s);
        }
      } catch (Exception e) {
        // One broken scenario must not lose the others' results: it is reported as failed.
        log("scenario " + s + " FAILED: " + e);
        e.printStackTrace(System.out);
        Result failed = new Result(s, s + " (failed: " + Api.abbreviate(e.toString()) + ")");
        failed.lastError = String.valueOf(e);
        results.add(failed);
      }
      if (!s.equals("memory")) {
        done.add(s);
      }
      log("scenario " + s + " done in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
  }

  private MemoryScenario memory() {
    if (memory == null) {
      memory = new MemoryScenario(this, summary);
    }
    return memory;
  }

  static void log(String line) {
    System.out.println("[bench] " + line);
  }

  Result add(Result r) {
    r.extra.put("load1m", LoadSampler.oneMinute());
    results.add(r);
    log(
        String.format(
            "%-9s %-34s %s ops=%d err=%d %.0f/s p50=%.2fms p99=%.2fms%s",
            r.scenario,
            r.name,
            r.params,
            r.ops,
            r.errors,
            r.throughput(),
            r.percentileMillis(50),
            r.percentileMillis(99),
            r.lastError == null ? "" : " lastError=" + Api.abbreviate(r.lastError)));
    return r;
  }

  // --- setup helpers --------------------------------------------------------------------------

  List<String> users(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(run + prefix + i);
    }
    return out;
  }

  /** Tokens for {@code users} on {@code device}, minted 16 at a time. */
  List<String> tokens(List<String> users, String device) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> futures = new ArrayList<>();
      for (String u : users) {
        futures.add(pool.submit(() -> api.token(u, device)));
      }
      List<String> out = new ArrayList<>();
      for (Future<String> f : futures) {
        out.add(f.get(60, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * A real inbox entry's stored body (the "w" field the service wrote: the entry's wire form
   * without its cursor), to copy into other inboxes.
   */
  String itemJsonOf(String user) {
    var entries =
        raw.redis
            .sync()
            .xrevrange(RawStores.inboxKeys(user)[0], io.lettuce.core.Range.create("-", "+"));
    for (var e : entries) {
      String w = e.getBody().get("w");
      if (w != null && w.contains("\"message\"")) {
        return w;
      }
    }
    return entries.get(0).getBody().get("w");
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  // --- sends: SendScenario, whose group of 1,000 the long-poll scenario reuses -----------------

  private String bigGroup;
  private List<String> bigMembers;

  private void sends() throws Exception {
    SendScenario sends = new SendScenario(this, summary);
    try {
      sends.run();
    } finally {
      bigGroup = sends.bigGroup;
      bigMembers = sends.bigMembers;
    }
  }
}
