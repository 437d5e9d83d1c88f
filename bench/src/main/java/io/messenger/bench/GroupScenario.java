package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * Large groups (read diffusion) on each side of {@code messenger.fanout.max-inbox-members} (500):
 *
 * <ol>
 *   <li><b>send p50/p99 by group size</b>: groups of 10 (write diffusion), 1,000, 10,000 and
 *       100,000 members (read diffusion), built through the public API (create with up to 1,000,
 *       then {@code POST /v1/conversations/{cid}/members {add}} 2,000 at a time, as the 64 KiB body
 *       limit allows). Growing the largest group has a time budget (system property {@code
 *       bench.groupBuildBudgetSeconds}, default 300): when it runs out the group stays at the size
 *       reached and the results say so. The sends are measured by one client alternating the groups
 *       (each call into its group's histogram), so the groups see the same machine;
 *   <li><b>Redis bytes per message</b>: {@code INFO memory used_memory} before and after N sends to
 *       the group of 10,000 and to a group of 400 (write diffusion), net of the drift of an idle
 *       period as long, and the {@code MEMORY USAGE} of the group's head key and of every member's
 *       inbox keys and large-group index before and after;
 *   <li><b>pull p50 by the number of large groups</b>: three users in 0, 10 and 200 large groups
 *       (each group: those users and the same 500 fillers, 501 or 502 members, created in one call;
 *       one message sent to each so every group has news), each pulling {@code GET /v1/sync} from
 *       its inbox head (no entries to return; {@code largeGroups} of at most 100), the three pulls
 *       alternated by one client.
 * </ol>
 *
 * Smoke mode: groups of 10 and 600 (create 300, add 300), 20 sends for the bytes (groups of 600 and
 * 50), users in 0, 1 and 2 large groups.
 */
final class GroupScenario extends Scenario {

  private static final int CREATE_BATCH = 1000;
  private static final int ADD_BATCH = 2000;

  private final Map<String, Object> figures = new LinkedHashMap<>();

  /** A group built for the scenario: its id, its members (the first is the sender) and token. */
  private record Group(String cid, List<String> members, String token, double buildSeconds) {}

  GroupScenario(Bench bench) {
    super(bench);
  }

  @Override
  void run() throws Exception {
    summary.put("groups", figures);
    Group bytesGroup = sends();
    redisBytes(bytesGroup);
    pulls();
    Bench.log("groups: " + figures);
  }

  // --- building groups ------------------------------------------------------------------------

  /**
   * A group of {@code size} members through the public API; stops growing when {@code budget} runs
   * out (null: no budget), at whatever size it reached.
   */
  private Group build(String prefix, int size, Duration budget) throws Exception {
    int createBatch = smoke ? 300 : CREATE_BATCH;
    int addBatch = smoke ? 300 : ADD_BATCH;
    List<String> members = bench.users(prefix, size);
    long t0 = System.nanoTime();
    String token = api.token(members.get(0), "d1");
    int created = Math.min(size, createBatch);
    String cid = api.createGroup(token, members.subList(1, created));
    int have = created;
    long deadline = budget == null ? Long.MAX_VALUE : t0 + budget.toNanos();
    while (have < size && System.nanoTime() < deadline) {
      int to = Math.min(size, have + addBatch);
      add(cid, token, members.subList(have, to));
      have = to;
      if ((have / addBatch) % 5 == 0 || have == size) {
        Bench.log(
            String.format(
                "group %s: %d of %d members after %.1f s",
                prefix, have, size, (System.nanoTime() - t0) / 1e9));
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Group(cid, members.subList(0, have), token, seconds);
  }

  /** One add call, retried (an add is idempotent: members already present are skipped). */
  private void add(String cid, String token, List<String> users) throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        api.postRetrying(
                api.sync + "/v1/conversations/" + cid + "/members", token, Map.of("add", users))
            .expect(200);
        return;
      } catch (java.io.IOException | IllegalStateException e) {
        last = e;
        Bench.log("add of " + users.size() + " members failed, retrying: " + e);
        Thread.sleep(2000);
      }
    }
    throw last;
  }

  // --- 1. send latency by group size -----------------------------------------------------------

  private Group sends() throws Exception {
    int[] sizes = smoke ? new int[] {10, 600} : new int[] {10, 1000, 10_000, 100_000};
    Duration budget =
        Duration.ofSeconds(Integer.getInteger("bench.groupBuildBudgetSeconds", smoke ? 60 : 300));
    List<Group> groups = new ArrayList<>();
    Map<String, Object> builds = new LinkedHashMap<>();
    Group bytesGroup = null;
    for (int size : sizes) {
      Group g = build("g" + size + "x", size, size == sizes[sizes.length - 1] ? budget : null);
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("members", g.members().size());
      b.put("seconds", Load.round(g.buildSeconds()));
      if (g.members().size() < size) {
        b.put(
            "capped",
            String.format(
                "asked for %d members, stopped at %d when the %d s budget ran out",
                size, g.members().size(), budget.toSeconds()));
      }
      builds.put(Integer.toString(size), b);
      Bench.log(
          String.format(
              "built a group of %d members in %.1f s", g.members().size(), g.buildSeconds()));
      groups.add(g);
      if (size == (smoke ? 600 : 10_000)) {
        bytesGroup = g;
      }
    }
    figures.put("build", builds);
    // One client alternating the groups, each call into its group's histogram.
    int n = groups.size();
    Histogram[] hs = new Histogram[n];
    for (int i = 0; i < n; i++) {
      hs[i] = Load.histogram();
    }
    long errors = 0;
    String lastError = null;
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + (smoke ? measure.toNanos() * 2 : Duration.ofSeconds(40).toNanos());
    for (long k = 0; System.nanoTime() < end; k++) {
      int i = (int) (k % n);
      Group g = groups.get(i);
      long t0 = System.nanoTime();
      try {
        api.send(g.token(), g.cid(), run + "gs" + k, "benchmark text " + k);
      } catch (Exception e) {
        errors++;
        lastError = String.valueOf(e);
        continue;
      }
      if (t0 >= measureFrom) {
        hs[i].recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
      }
    }
    double seconds = (System.nanoTime() - measureFrom) / 1e9;
    Map<String, Object> p50 = new LinkedHashMap<>();
    Map<String, Object> p99 = new LinkedHashMap<>();
    Result[] results = new Result[n];
    for (int i = 0; i < n; i++) {
      Group g = groups.get(i);
      int members = g.members().size();
      String mode = members > 500 ? "read diffusion" : "write diffusion";
      Result r =
          new Result("groups", "send to a group of " + members + " (" + mode + "), alternated")
              .param("members", members)
              .param("concurrency", 1);
      r.histogram = hs[i];
      r.ops = hs[i].getTotalCount();
      r.errors = errors;
      r.lastError = lastError;
      r.seconds = seconds;
      bench.add(r);
      results[i] = r;
      p50.put(Integer.toString(members), Load.round(r.percentileMillis(50)));
      p99.put(Integer.toString(members), Load.round(r.percentileMillis(99)));
    }
    double ratio = results[n - 1].percentileMillis(50) / results[0].percentileMillis(50);
    results[n - 1].extra.put("p50OverSmallest", Load.round(ratio));
    figures.put("sendP50Ms", p50);
    figures.put("sendP99Ms", p99);
    figures.put("sendP50LargestOverSmallest", Load.round(ratio));
    Bench.log(
        String.format(
            "send p50 by group size %s ms, p99 %s ms; largest (%d) over smallest (%d): %.2f×",
            p50, p99, groups.get(n - 1).members().size(), groups.get(0).members().size(), ratio));
    return bytesGroup;
  }

  // --- 2. Redis bytes per message --------------------------------------------------------------

  private void redisBytes(Group large) throws Exception {
    int sends = smoke ? 20 : 200;
    Group small = build("gb400x", smoke ? 50 : 400, null);
    Map<String, Object> out = new LinkedHashMap<>();
    for (Group g : List.of(small, large)) {
      out.put(Integer.toString(g.members().size()), bytesPerMessage(g, sends));
    }
    figures.put("redisBytesPerMessage", out);
  }

  private Map<String, Object> bytesPerMessage(Group g, int sends) throws Exception {
    int members = g.members().size();
    // Let whatever the set-up left in flight settle, then the drift of an idle period.
    long settle = smoke ? 300 : 2000;
    Thread.sleep(settle);
    long idle0 = usedMemory();
    long keys0 = raw.redis.sync().dbsize();
    long idleFrom = System.nanoTime();
    Thread.sleep(smoke ? 500 : 3000);
    long idle1 = usedMemory();
    double idleSeconds = (System.nanoTime() - idleFrom) / 1e9;
    long usage0 = memoryUsage(g);
    long used0 = usedMemory();
    long t0 = System.nanoTime();
    for (int i = 0; i < sends; i++) {
      api.sendRetrying(g.token(), g.cid(), run + "gb" + members + "n" + i, "benchmark text " + i);
    }
    // The fan-out of a write-diffusion group may still be in flight: let it land.
    Thread.sleep(settle);
    double sendSeconds = (System.nanoTime() - t0) / 1e9;
    long used1 = usedMemory();
    long usage1 = memoryUsage(g);
    long keys1 = raw.redis.sync().dbsize();
    double drift = (idle1 - idle0) / idleSeconds * sendSeconds;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("members", members);
    m.put("mode", members > 500 ? "read diffusion" : "write diffusion");
    m.put("sends", sends);
    m.put("usedMemoryDeltaBytes", used1 - used0);
    m.put("idleDriftBytes", Math.round(drift));
    m.put("usedMemoryBytesPerMessage", Math.round((used1 - used0 - drift) / sends));
    m.put("memoryUsageOfItsKeysBytesPerMessage", Math.round((usage1 - usage0) / (double) sends));
    m.put("keysAdded", keys1 - keys0);
    m.put("headKeyBytes", memoryUsageOf("lg-head:{" + g.cid() + "}"));
    Bench.log("redis bytes per message, group of " + members + ": " + m);
    Result r =
        new Result("groups", "Redis bytes per message, group of " + members)
            .param("members", members);
    r.ops = sends;
    r.extra.put("usedMemoryBytesPerMessage", m.get("usedMemoryBytesPerMessage"));
    r.extra.put("keysBytesPerMessage", m.get("memoryUsageOfItsKeysBytesPerMessage"));
    bench.add(r);
    return m;
  }

  private long usedMemory() {
    for (String line : raw.redis.sync().info("memory").split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IllegalStateException("no used_memory in INFO memory");
  }

  private long memoryUsageOf(String key) {
    Long v = raw.redis.sync().memoryUsage(key);
    return v == null ? 0 : v;
  }

  /**
   * {@code MEMORY USAGE} of the group's head key and of every member's inbox keys and large-group
   * index (pipelined; streams are estimated by Redis from a sample of their nodes).
   */
  private long memoryUsage(Group g) throws Exception {
    var async = raw.redis.async();
    List<io.lettuce.core.RedisFuture<Long>> futures = new ArrayList<>();
    futures.add(async.memoryUsage("lg-head:{" + g.cid() + "}"));
    for (String user : g.members()) {
      for (String key : RawStores.inboxKeys(user)) {
        futures.add(async.memoryUsage(key));
      }
      futures.add(async.memoryUsage("lg:{" + user + "}"));
    }
    long total = 0;
    for (var f : futures) {
      Long v = f.get(60, TimeUnit.SECONDS);
      total += v == null ? 0 : v;
    }
    return total;
  }

  // --- 3. pull latency by the number of large groups ---------------------------------------------

  private void pulls() throws Exception {
    int[] levels = smoke ? new int[] {0, 1, 2} : new int[] {0, 10, 200};
    int fillers = 500;
    List<String> measured = bench.users("gpu", levels.length);
    List<String> fill = bench.users("gpf", fillers);
    List<String> tokens = bench.tokens(measured, "pull");
    String creator = api.token(fill.get(0), "d1");
    int most = levels[levels.length - 1];
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int gi = 0; gi < most; gi++) {
        int group = gi;
        futures.add(
            pool.submit(
                () -> {
                  List<String> others = new ArrayList<>(fill.subList(1, fillers));
                  for (int u = 0; u < levels.length; u++) {
                    if (group < levels[u]) {
                      others.add(measured.get(u));
                    }
                  }
                  String cid = api.createGroup(creator, others);
                  api.sendRetrying(creator, cid, run + "gp" + group, "news " + group);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdown();
    }
    double setup = (System.nanoTime() - t0) / 1e9;
    Bench.log(String.format("created %d large groups of 501+ members in %.1f s", most, setup));
    // Each measured user's cursor at its inbox head (past its conversation.created entries).
    String[] cursors = new String[levels.length];
    for (int u = 0; u < levels.length; u++) {
      JsonNode first = api.pullRetrying(tokens.get(u), null, 100);
      String cursor = first.path("resync").path("headCursor").asString(null);
      if (cursor == null) {
        cursor = first.path("nextCursor").asString();
      }
      for (int i = 0; i < 1000; i++) {
        JsonNode page = api.pullRetrying(tokens.get(u), cursor, 100);
        if (page.path("entries").isEmpty()) {
          break;
        }
        cursor = page.path("nextCursor").asString();
      }
      cursors[u] = cursor;
    }
    Histogram[] hs = new Histogram[levels.length];
    for (int i = 0; i < levels.length; i++) {
      hs[i] = Load.histogram();
    }
    long errors = 0;
    String lastError = null;
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + (smoke ? measure.toNanos() * 2 : Duration.ofSeconds(20).toNanos());
    for (long k = 0; System.nanoTime() < end; k++) {
      int u = (int) (k % levels.length);
      long c0 = System.nanoTime();
      try {
        JsonNode page = api.pull(tokens.get(u), cursors[u], 100);
        int expected = Math.min(levels[u], 100);
        if (!page.path("entries").isEmpty()
            || page.path("largeGroups").size() != expected
            || page.path("largeGroupsHasMore").asBoolean(false) != (levels[u] > 100)) {
          throw new IllegalStateException(
              "unexpected pull: entries="
                  + page.path("entries").size()
                  + " largeGroups="
                  + page.path("largeGroups").size()
                  + " (expected "
                  + expected
                  + ")");
        }
      } catch (Exception e) {
        errors++;
        lastError = String.valueOf(e);
        continue;
      }
      if (c0 >= measureFrom) {
        hs[u].recordValue(Math.max(1, (System.nanoTime() - c0) / 1000));
      }
    }
    double seconds = (System.nanoTime() - measureFrom) / 1e9;
    Map<String, Object> p50 = new LinkedHashMap<>();
    Map<String, Object> p99 = new LinkedHashMap<>();
    for (int u = 0; u < levels.length; u++) {
      Result r =
          new Result(
                  "groups",
                  "pull (no entries) for a user in " + levels[u] + " large groups, alternated")
              .param("largeGroups", levels[u])
              .param("concurrency", 1);
      r.histogram = hs[u];
      r.ops = hs[u].getTotalCount();
      r.errors = errors;
      r.lastError = lastError;
      r.seconds = seconds;
      bench.add(r);
      p50.put(Integer.toString(levels[u]), Load.round(r.percentileMillis(50)));
      p99.put(Integer.toString(levels[u]), Load.round(r.percentileMillis(99)));
    }
    figures.put("pullSetupSeconds", Load.round(setup));
    figures.put("pullP50MsByLargeGroups", p50);
    figures.put("pullP99MsByLargeGroups", p99);
  }
}
