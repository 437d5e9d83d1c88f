package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The history page scenario (docs/benchmarks/README.md, "Scenarios"): conversations of 1,000 to
 * 100,000 messages written straight into the page tables, the newest and a deep page, beside the
 * same statements from a driver loop.
 */
final class PageScenario extends Scenario {

  PageScenario(Bench bench) {
    super(bench);
  }

  @Override
  void run() throws Exception {
    int[] lengths = smoke ? new int[] {1000, 5000} : new int[] {1000, 10_000, 100_000};
    List<String> pair = bench.users("h", 2);
    String token = api.token(pair.get(0), "laptop");
    Map<String, Object> p99 = new LinkedHashMap<>();
    for (int length : lengths) {
      String cid = api.createGroup(token, List.of(pair.get(1)));
      long t0 = System.nanoTime();
      raw.loadPages(cid, pair.get(1), length);
      Bench.log(
          String.format(
              "loaded %d messages in %.1f s", length, Bench.ms(System.nanoTime() - t0) / 1000));
      for (String where : List.of("newest", "deep")) {
        // "deep": the page of 50 just above seq 100, i.e. length - 100 messages below the newest.
        long seq = where.equals("newest") ? Long.MAX_VALUE : 101;
        String query = where.equals("newest") ? "?limit=50" : "?limit=50&before=101";
        Result r =
            bench.add(
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
        bench.add(base);
        r.extra.put("ratioToRaw", Load.round(r.throughput() / base.throughput()));
        p99.put(where + "@" + length, Load.round(r.percentileMillis(99)));
        if (length == lengths[lengths.length - 1]) {
          Result many =
              bench.add(
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
          bench.add(rawMany);
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
      bench.add(r);
      results[i] = r;
    }
    double p50 = results[1].percentileMillis(50) / results[0].percentileMillis(50);
    double p99 = results[1].percentileMillis(99) / results[0].percentileMillis(99);
    results[1].extra.put("deepOverNewestP50", Load.round(p50));
    results[1].extra.put("deepOverNewestP99", Load.round(p99));
    summary.put("pageDeepOverNewestInterleavedP50", Load.round(p50));
    summary.put("pageDeepOverNewestInterleavedP99", Load.round(p99));
    Bench.log(
        String.format(
            "pages interleaved at %d: newest p50/p99 %.2f/%.2f ms, deep %.2f/%.2f ms",
            length,
            results[0].percentileMillis(50),
            results[0].percentileMillis(99),
            results[1].percentileMillis(50),
            results[1].percentileMillis(99)));
  }
}
