package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The pull scenario (docs/benchmarks/README.md, "Scenarios"): inboxes of depth 10, 100 and 1,000
 * filled by copying one real entry, pulled at several concurrencies and in an open loop, beside
 * {@code EVALSHA pull.lua} on the raw Redis.
 */
final class PullScenario extends Scenario {

  PullScenario(Bench bench) {
    super(bench);
  }

  @Override
  void run() throws Exception {
    int n = smoke ? 8 : 32;
    List<String> users = bench.users("p", n);
    List<String> tokens = bench.tokens(users, "d1");
    String cid = api.createGroup(tokens.get(0), users.subList(1, n));
    api.sendRetrying(tokens.get(0), cid, "seed", "hello, inbox");
    String item = bench.itemJsonOf(users.get(0));
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
      bench.add(ours);
      Result base =
          Load.closed(
              new Result("pull", "raw Redis pull script, depth " + depth).param("depth", depth),
              depthConcurrency,
              warmup,
              measure,
              (w, i) -> raw.pull(users.get((int) ((w + i) % n)), "d1", "0-0", 100));
      base.param("raw", true);
      bench.add(base);
      ours.extra.put("ratioToRaw", Load.round(ours.throughput() / base.throughput()));
    }
    int depth = depths[depths.length - 1];
    int[] levels = smoke ? new int[] {1, 8} : new int[] {1, 4, 16, 64};
    double bestRatio = 0;
    for (int c : levels) {
      Result ours =
          bench.add(
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
      bench.add(base);
      double ratio = ours.throughput() / base.throughput();
      ours.extra.put("ratioToRaw", Load.round(ratio));
      bestRatio = Math.max(bestRatio, ratio);
    }
    summary.put("pullThroughputRatioToRawBest", Load.round(bestRatio));
    int rate = smoke ? 100 : 500;
    Result open =
        bench.add(
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
}
