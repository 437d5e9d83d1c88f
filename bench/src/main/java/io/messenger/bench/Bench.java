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
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * The benchmark: runs every scenario against a running sync-service and history-service (started by
 * {@code scripts/bench.sh}) and the raw stores beside them, then writes {@code results.json},
 * {@code results.md} and PNG plots into the output directory.
 *
 * <pre>
 * java -cp ... io.messenger.bench.Bench --sync http://127.0.0.1:18181 --history http://127.0.0.1:18182
 *     --redis 127.0.0.1:6393 --cassandra 127.0.0.1:9042 --keyspace bench --repo . --out DIR [--smoke]
 *     [--only pull,send,ack,page,longpoll] [--park 1000]
 * </pre>
 *
 * Besides the default scenarios, {@code --only} takes {@code memory} (a sample of both services'
 * heap, RSS and PSS) and {@code park} ({@code --park N} long-polls parked at once and held while
 * memory is sampled): see {@link MemoryScenario}; and {@code groups} (large groups by read
 * diffusion: send latency by group size up to 100,000 members, Redis bytes per message, pull
 * latency by the number of large groups): see {@link GroupScenario}.
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
  private final Map<String, Object> summary = new LinkedHashMap<>();
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
      if (args[i].equals("--smoke")) {
        opts.put("smoke", "true");
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        opts.put(args[i].substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    boolean smoke = opts.containsKey("smoke");
    Path out = Path.of(opts.getOrDefault("out", "docs/benchmarks/latest"));
    String[] redis = opts.getOrDefault("redis", "127.0.0.1:6393").split(":");
    Files.createDirectories(out);
    Api api =
        new Api(
            opts.getOrDefault("sync", "http://127.0.0.1:18181"),
            opts.getOrDefault("history", "http://127.0.0.1:18182"));
    Instant started = Instant.now();
    try (RawStores raw =
        new RawStores(
            redis[0],
            Integer.parseInt(redis[1]),
            opts.getOrDefault("cassandra", "127.0.0.1:9042"),
            opts.getOrDefault("keyspace", "bench"),
            Path.of(opts.getOrDefault("repo", ".")))) {
      Bench bench = new Bench(api, raw, smoke);
      bench.parkClients = Integer.parseInt(opts.getOrDefault("park", "1000"));
      String only = opts.getOrDefault("only", "pull,send,ack,page,longpoll");
      bench.summary.put("mode", smoke ? "smoke" : "full");
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
          case "pull" -> pulls();
          case "send" -> sends();
          case "ack" -> ackStorm();
          case "page" -> pages();
          case "longpoll" -> longPolls();
          case "memory" -> memory().sample(done.isEmpty() ? "idle" : "after " + done);
          case "park" -> memory().park(parkClients);
          case "groups" -> new GroupScenario(this, summary).run();
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

  /** This machine's wall clock in microseconds (the clock Redis stamps stream ids with). */
  private static long wallClockMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  // --- (a) pulls ------------------------------------------------------------------------------

  private void pulls() throws Exception {
    int n = smoke ? 8 : 32;
    List<String> users = users("p", n);
    List<String> tokens = tokens(users, "d1");
    String cid = api.createGroup(tokens.get(0), users.subList(1, n));
    api.sendRetrying(tokens.get(0), cid, "seed", "hello, inbox");
    String item = itemJsonOf(users.get(0));
    int[] depths = smoke ? new int[] {10, 100} : new int[] {10, 100, 1000};
    int depthConcurrency = 4;
    int have = 2; // conversation.created + the seed message
    for (int depth : depths) {
      for (String u : users) {
        raw.fill(u, item, "fill-" + depth + "-", depth - have);
      }
      have = depth;
      Result ours =
          Load.closed(
              new Result("pull", "pull limit=100, depth " + depth).param("depth", depth),
              depthConcurrency,
              warmup,
              measure,
              (w, i) -> pullOnce(tokens.get((int) ((w + i) % n)), Math.min(depth, 100)));
      add(ours);
      Result base =
          Load.closed(
              new Result("pull", "raw Redis pull script, depth " + depth).param("depth", depth),
              depthConcurrency,
              warmup,
              measure,
              (w, i) -> raw.pull(users.get((int) ((w + i) % n)), "d1", "0-0", 100));
      base.param("raw", true);
      add(base);
      ours.extra.put("ratioToRaw", Load.round(ours.throughput() / base.throughput()));
    }
    int depth = depths[depths.length - 1];
    int[] levels = smoke ? new int[] {1, 8} : new int[] {1, 4, 16, 64};
    double bestRatio = 0;
    for (int c : levels) {
      Result ours =
          add(
              Load.closed(
                  new Result("pull", "pull limit=100, c=" + c).param("depth", depth),
                  c,
                  warmup,
                  measure,
                  (w, i) -> pullOnce(tokens.get((int) ((w + i) % n)), Math.min(depth, 100))));
      Result base =
          Load.closed(
              new Result("pull", "raw Redis pull script, c=" + c).param("depth", depth),
              c,
              warmup,
              measure,
              (w, i) -> raw.pull(users.get((int) ((w + i) % n)), "d1", "0-0", 100));
      base.param("raw", true);
      add(base);
      double ratio = ours.throughput() / base.throughput();
      ours.extra.put("ratioToRaw", Load.round(ratio));
      bestRatio = Math.max(bestRatio, ratio);
    }
    summary.put("pullThroughputRatioToRawBest", Load.round(bestRatio));
    int rate = smoke ? 100 : 500;
    Result open =
        add(
            Load.open(
                new Result("pull", "pull limit=100 at " + rate + "/s (open loop)")
                    .param("depth", depth),
                rate,
                64,
                warmup,
                smoke ? measure : Duration.ofSeconds(10),
                (w, i) -> pullOnce(tokens.get((int) (i % n)), Math.min(depth, 100))));
    summary.put("pullP99AtRateMs", Load.round(open.percentileMillis(99)));
    summary.put("pullRate", rate);
  }

  private void pullOnce(String token, int expected) throws Exception {
    JsonNode page = api.pull(token, "0-0", 100);
    if (!page.path("resync").isNull() || page.path("entries").size() != expected) {
      throw new IllegalStateException(
          "unexpected pull: resync="
              + page.path("resync")
              + " entries="
              + page.path("entries").size());
    }
  }

  // --- (b) sends ------------------------------------------------------------------------------

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

  // --- (c) ack storm --------------------------------------------------------------------------

  private void ackStorm() throws Exception {
    int userCount = smoke ? 5 : 25;
    int devicesPerUser = 4;
    int acksPerDevicePerSecond = 10;
    Duration time = smoke ? Duration.ofSeconds(3) : Duration.ofSeconds(10);
    List<String> users = users("a", userCount);
    String owner = api.token(users.get(0), "d0");
    String cid = api.createGroup(owner, users.subList(1, userCount));
    for (int i = 0; i < 50; i++) {
      api.sendRetrying(owner, cid, run + "ack" + i, "to be acked " + i);
    }
    record Device(String token, List<String> cursors) {}
    List<Device> devices = new ArrayList<>();
    for (int d = 0; d < devicesPerUser; d++) {
      List<String> tokens = tokens(users, "a" + d);
      for (String t : tokens) {
        List<String> cursors = new ArrayList<>();
        api.pull(t, "0-0", 100)
            .path("entries")
            .forEach(e -> cursors.add(e.path("cursor").asString()));
        devices.add(new Device(t, cursors));
      }
    }
    int threads = Math.min(32, devices.size());
    long periodNanos = 1_000_000_000L / acksPerDevicePerSecond;
    double writes0 = api.metric(api.sync, "messenger_sync_ack_writes_total");
    double received0 = api.metric(api.sync, "messenger_sync_ack_received_total");
    Result r = new Result("ack", "ack storm: " + devices.size() + " devices");
    r.param("devices", devices.size()).param("targetAcksPerDevicePerSec", acksPerDevicePerSecond);
    r.param("concurrency", threads);
    long start = System.nanoTime();
    long end = start + time.toNanos();
    List<Histogram> hs = new ArrayList<>();
    AtomicLong ops = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      Histogram h = Load.histogram();
      hs.add(h);
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                long round = 0;
                while (System.nanoTime() < end) {
                  long roundStart = start + round * periodNanos;
                  for (int d = worker; d < devices.size(); d += threads) {
                    Device dev = devices.get(d);
                    String cursor =
                        dev.cursors().get((int) Math.min(round, dev.cursors().size() - 1));
                    long t0 = System.nanoTime();
                    try {
                      api.ack(dev.token(), cursor);
                      h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                      ops.incrementAndGet();
                    } catch (Exception e) {
                      errors.incrementAndGet();
                      r.lastError = String.valueOf(e);
                    }
                  }
                  round++;
                  long next = start + round * periodNanos - System.nanoTime();
                  if (next > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(next);
                  }
                  if (roundStart > end) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // Let the coalescer flush what it held when the storm ended, then read the counters.
    Thread.sleep(1500);
    double writes = api.metric(api.sync, "messenger_sync_ack_writes_total") - writes0;
    double received = api.metric(api.sync, "messenger_sync_ack_received_total") - received0;
    Histogram all = Load.histogram();
    hs.forEach(all::add);
    r.histogram = all;
    r.ops = ops.get();
    r.errors = errors.get();
    r.seconds = seconds;
    // Conservative: the flush after the storm counts against the storm time.
    double perDevice = writes / devices.size() / seconds;
    r.extra.put("acksReceived", received);
    r.extra.put("storeWrites", writes);
    r.extra.put("storeWritesPerSec", Load.round(writes / seconds));
    r.extra.put("storeWritesPerDevicePerSec", Load.round(perDevice));
    add(r);
    summary.put("ackStoreWritesPerDevicePerSec", Load.round(perDevice));
    log(
        String.format(
            "ack storm: %.0f acks received, %.0f store writes, %.2f writes/device/s",
            received, writes, perDevice));
  }

  // --- (d) history pages ----------------------------------------------------------------------

  private void pages() throws Exception {
    int[] lengths = smoke ? new int[] {1000, 5000} : new int[] {1000, 10_000, 100_000};
    List<String> pair = users("h", 2);
    String token = api.token(pair.get(0), "laptop");
    Map<String, Object> p99 = new LinkedHashMap<>();
    for (int length : lengths) {
      String cid = api.createGroup(token, List.of(pair.get(1)));
      long t0 = System.nanoTime();
      raw.loadPages(cid, pair.get(1), length);
      log(String.format("loaded %d messages in %.1f s", length, ms(System.nanoTime() - t0) / 1000));
      for (String where : List.of("newest", "deep")) {
        // "deep": the page of 50 just above seq 100, i.e. length - 100 messages below the newest.
        long seq = where.equals("newest") ? Long.MAX_VALUE : 101;
        String query = where.equals("newest") ? "?limit=50" : "?limit=50&before=101";
        Result r =
            add(
                Load.closed(
                    new Result("page", "page of 50, " + where + ", length " + length)
                        .param("length", length)
                        .param("where", where),
                    1,
                    warmup,
                    measure,
                    (w, i) -> api.page(cid, token, query)));
        Result base =
            Load.closed(
                new Result("page", "raw CQL page, " + where + ", length " + length)
                    .param("length", length)
                    .param("where", where),
                1,
                warmup,
                measure,
                (w, i) -> raw.page(cid, pair.get(0), seq, 50));
        base.param("raw", true);
        add(base);
        r.extra.put("ratioToRaw", Load.round(r.throughput() / base.throughput()));
        p99.put(where + "@" + length, Load.round(r.percentileMillis(99)));
        if (length == lengths[lengths.length - 1]) {
          Result many =
              add(
                  Load.closed(
                      new Result("page", "page of 50, " + where + ", length " + length + ", c=8")
                          .param("length", length)
                          .param("where", where),
                      8,
                      warmup,
                      measure,
                      (w, i) -> api.page(cid, token, query)));
          Result rawMany =
              Load.closed(
                  new Result("page", "raw CQL page, " + where + ", length " + length + ", c=8")
                      .param("length", length)
                      .param("where", where),
                  8,
                  warmup,
                  measure,
                  (w, i) -> raw.page(cid, pair.get(0), seq, 50));
          rawMany.param("raw", true);
          add(rawMany);
          many.extra.put("ratioToRaw", Load.round(many.throughput() / rawMany.throughput()));
        }
      }
      if (length == lengths[lengths.length - 1]) {
        interleavedPages(cid, token, length);
      }
    }
    summary.put("pageP99Ms", p99);
  }

  /**
   * The deep-vs-newest comparison under equal conditions: one client alternating the two pages,
   * each into its own histogram. (Taken one after the other, the second case also meets whatever
   * the first left behind: compaction after the load, JIT, the c=8 case before it.)
   */
  private void interleavedPages(String cid, String token, int length) throws Exception {
    Histogram newest = Load.histogram();
    Histogram deep = Load.histogram();
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + 2 * measure.toNanos();
    long errors = 0;
    String lastError = null;
    for (long n = 0; System.nanoTime() < end; n++) {
      boolean isDeep = n % 2 == 1;
      long t0 = System.nanoTime();
      try {
        api.page(cid, token, isDeep ? "?limit=50&before=101" : "?limit=50");
      } catch (Exception e) {
        errors++;
        lastError = String.valueOf(e);
        continue;
      }
      long t1 = System.nanoTime();
      if (t0 >= measureFrom) {
        (isDeep ? deep : newest).recordValue(Math.max(1, (t1 - t0) / 1000));
      }
    }
    double seconds = (System.nanoTime() - measureFrom) / 1e9;
    Result[] results = new Result[2];
    for (int i = 0; i < 2; i++) {
      String where = i == 0 ? "newest" : "deep";
      Result r =
          new Result("page", "page of 50, " + where + ", length " + length + ", interleaved")
              .param("length", length)
              .param("where", where)
              .param("interleaved", true);
      r.histogram = i == 0 ? newest : deep;
      r.ops = r.histogram.getTotalCount();
      r.errors = errors;
      r.lastError = lastError;
      r.seconds = seconds;
      add(r);
      results[i] = r;
    }
    double p50 = results[1].percentileMillis(50) / results[0].percentileMillis(50);
    double p99 = results[1].percentileMillis(99) / results[0].percentileMillis(99);
    results[1].extra.put("deepOverNewestP50", Load.round(p50));
    results[1].extra.put("deepOverNewestP99", Load.round(p99));
    summary.put("pageDeepOverNewestInterleavedP50", Load.round(p50));
    summary.put("pageDeepOverNewestInterleavedP99", Load.round(p99));
    log(
        String.format(
            "pages interleaved at %d: newest p50/p99 %.2f/%.2f ms, deep %.2f/%.2f ms",
            length,
            results[0].percentileMillis(50),
            results[0].percentileMillis(99),
            results[1].percentileMillis(50),
            results[1].percentileMillis(99)));
  }

  // --- (e) long-polls -------------------------------------------------------------------------

  private void longPolls() throws Exception {
    int clients = smoke ? 100 : 1000;
    int rounds = smoke ? 2 : 5;
    List<String> members;
    String cid;
    if (!smoke && bigGroup != null) {
      members = bigMembers;
      cid = bigGroup;
    } else {
      members = users("l", clients);
      String owner = api.token(members.get(0), "d1");
      cid = api.createGroup(owner, members.subList(1, clients));
    }
    String sender = api.token(members.get(0), "d1");
    List<String> tokens = tokens(members, "lp");
    String[] cursors = new String[clients];
    for (int i = 0; i < clients; i++) {
      JsonNode first = api.pullRetrying(tokens.get(i), null, 100);
      cursors[i] = first.path("resync").path("headCursor").asString();
    }
    Histogram wake = Load.histogram();
    Histogram fromAppend = Load.histogram();
    Histogram sendLatency = Load.histogram();
    AtomicLong woken = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    String[] lastError = new String[1];
    java.net.URI syncUri = java.net.URI.create(api.sync);
    // Round -1 warms up the JIT on the wake-up path; it is logged, not counted.
    for (int round = -1; round < rounds; round++) {
      int thisRound = round;
      double parked0 = api.metric(api.sync, "messenger_sync_longpoll_parked");
      List<String> paths = new ArrayList<>(clients);
      for (int i = 0; i < clients; i++) {
        paths.add(api.pullUrl(cursors[i], 100, 30_000).substring(api.sync.length()));
      }
      AtomicLong t0 = new AtomicLong();
      AtomicLong sent = new AtomicLong();
      // The send runs beside the client's selector loop, so that answers are stamped as they
      // arrive, also while the send itself is still in flight.
      Runnable wakeUp =
          () -> {
            Thread sending =
                new Thread(
                    () -> {
                      try {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (api.metric(api.sync, "messenger_sync_longpoll_parked")
                                < parked0 + clients
                            && System.nanoTime() < deadline) {
                          Thread.sleep(50);
                        }
                        Thread.sleep(200);
                        t0.set(System.nanoTime());
                        api.send(sender, cid, run + "lp" + thisRound, "wake up " + thisRound);
                        sent.set(System.nanoTime());
                      } catch (Exception e) {
                        errors.incrementAndGet();
                        lastError[0] = String.valueOf(e);
                      }
                    },
                    "longpoll-sender");
            sending.setDaemon(true);
            sending.start();
          };
      List<LongPollClient.Arrival> arrivals =
          LongPollClient.run(syncUri.getHost(), syncUri.getPort(), paths, tokens, wakeUp, 60_000);
      long roundStart = t0.get();
      List<long[]> times = new ArrayList<>();
      for (LongPollClient.Arrival a : arrivals) {
        try {
          if (a.status() != 200) {
            throw new IllegalStateException("HTTP " + a.status() + ": " + Api.abbreviate(a.text()));
          }
          JsonNode body = Api.JSON.readTree(a.body());
          if (body.path("entries").isEmpty()) {
            throw new IllegalStateException("woken without entries");
          }
          cursors[a.index()] = body.path("nextCursor").asString();
          // The entry's cursor is its stream id: <Redis server clock millis>-<n>, taken by XADD
          // on this machine's clock.
          String cursor = body.path("entries").get(0).path("cursor").asString();
          long appendedMillis = Long.parseLong(cursor.substring(0, cursor.indexOf('-')));
          times.add(new long[] {a.nanoTime() - roundStart, a.wallMicros() - appendedMillis * 1000});
        } catch (RuntimeException e) {
          errors.incrementAndGet();
          lastError[0] = String.valueOf(e);
        }
      }
      if (sent.get() > 0 && round >= 0) {
        sendLatency.recordValue(Math.max(1, (sent.get() - roundStart) / 1000));
      }
      for (long[] t : round >= 0 ? times : List.<long[]>of()) {
        wake.recordValue(Math.max(1, t[0] / 1000));
        fromAppend.recordValue(Math.max(1, t[1]));
        woken.incrementAndGet();
      }
      log(
          String.format(
              "long-poll round %d%s: %d woken, send %s, last wake-up at %.1f ms"
                  + " after the send started, %.1f ms at most after its entry was appended",
              round,
              round < 0 ? " (warm-up, not counted)" : "",
              times.size(),
              // Every poll can answer before the send's own answer arrives: then it is not timed.
              sent.get() > 0
                  ? String.format("answered in %.1f ms", ms(sent.get() - roundStart))
                  : "not answered yet when the last poll was (its time is not counted)",
              times.stream().mapToLong(t -> t[0]).max().orElse(0) / 1e6,
              times.stream().mapToLong(t -> t[1]).max().orElse(0) / 1e3));
    }
    Result r =
        new Result("longpoll", clients + " parked long-polls woken by a send")
            .param("clients", clients)
            .param("rounds", rounds);
    r.histogram = wake;
    r.ops = woken.get();
    r.errors = errors.get();
    r.lastError = lastError[0];
    r.seconds = 0;
    r.extra.put("sendP50Ms", Load.round(sendLatency.getValueAtPercentile(50) / 1000.0));
    r.extra.put("measuredFrom", "the start of the send that wakes them");
    add(r);
    Result inbox =
        new Result("longpoll", clients + " parked long-polls, from their entry's append")
            .param("clients", clients)
            .param("rounds", rounds);
    inbox.histogram = fromAppend;
    inbox.ops = woken.get();
    inbox.errors = errors.get();
    inbox.lastError = lastError[0];
    inbox.seconds = 0;
    inbox.extra.put(
        "measuredFrom",
        "the append of each client's entry (its stream id, Redis clock, 1 ms resolution)");
    add(inbox);
    summary.put("longPollWakeP99Ms", Load.round(inbox.percentileMillis(99)));
    summary.put("longPollWakeP50Ms", Load.round(inbox.percentileMillis(50)));
    summary.put("longPollWakeFromSendP99Ms", Load.round(r.percentileMillis(99)));
    summary.put("longPollWakeFromSendP50Ms", Load.round(r.percentileMillis(50)));
  }
}
