package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;

/** The conversation list: one page's cost by the number of the user's conversations. */
final class ListScenario extends Scenario {

  ListScenario(Bench bench) {
    super(bench);
  }

  /**
   * The conversation list (issue 14): one page's latency for users in 10, 1,000 and 10,000
   * conversations, created through the API (so the activity index is written as in production), a
   * tenth of them with a message in shuffled order. All users are set up first; then one client
   * alternates between them, each into its own histogram (the fairest comparison on a machine whose
   * load moves): pages of 10 (every user's page holds as many conversations) at the newest end and
   * in the middle of the list (after walking half of it through the Link headers), then the default
   * page of 50 at the newest end.
   */
  @Override
  void run() throws Exception {
    int[] sizes = smoke ? new int[] {10, 200} : new int[] {10, 1000, 10_000};
    List<String> owners = bench.users("l", sizes.length);
    List<String> tokens = new ArrayList<>();
    List<String> middles = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      for (int k = 0; k < sizes.length; k++) {
        int size = sizes[k];
        String token = api.token(owners.get(k), "phone");
        tokens.add(token);
        long t0 = System.nanoTime();
        List<Future<String>> created = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          String peer = owners.get(k) + "p" + i;
          created.add(pool.submit(() -> api.createGroup(token, List.of(peer))));
        }
        List<String> cids = new ArrayList<>();
        for (Future<String> f : created) {
          cids.add(f.get());
        }
        java.util.Collections.shuffle(cids, new java.util.Random(size));
        List<Future<Long>> sent = new ArrayList<>();
        for (int i = 0; i < Math.max(1, size / 10); i++) {
          String cid = cids.get(i);
          String clientMsgId = "l" + i;
          sent.add(pool.submit(() -> api.sendRetrying(token, cid, clientMsgId, "news")));
        }
        for (Future<Long> f : sent) {
          f.get();
        }
        Bench.log(
            String.format(
                "user in %d conversations set up in %.1f s",
                size, ms(System.nanoTime() - t0) / 1000));
        // The first read of a user indexes what predates the index (nothing here): not measured.
        api.conversations(token, "?limit=10");
        middles.add(cursorAfter(token, size / 2));
      }
    } finally {
      pool.shutdown();
    }
    Map<String, Object> p50 = new LinkedHashMap<>();
    for (String[] c : new String[][] {{"10", "newest"}, {"10", "middle"}, {"50", "newest"}}) {
      int limit = Integer.parseInt(c[0]);
      String where = c[1];
      List<String> queries = new ArrayList<>();
      for (int k = 0; k < sizes.length; k++) {
        queries.add(
            "?limit="
                + limit
                + (where.equals("middle") && middles.get(k) != null
                    ? "&cursor=" + middles.get(k)
                    : ""));
      }
      List<Histogram> histograms = new ArrayList<>();
      for (int k = 0; k < sizes.length; k++) {
        histograms.add(Load.histogram());
      }
      long start = System.nanoTime();
      long measureFrom = start + warmup.toNanos();
      long end = measureFrom + sizes.length * measure.toNanos();
      long errors = 0;
      String lastError = null;
      for (long n = 0; System.nanoTime() < end; n++) {
        int k = (int) (n % sizes.length);
        long t0 = System.nanoTime();
        try {
          api.conversations(tokens.get(k), queries.get(k));
        } catch (Exception e) {
          errors++;
          lastError = String.valueOf(e);
          continue;
        }
        long t1 = System.nanoTime();
        if (t0 >= measureFrom) {
          histograms.get(k).recordValue(Math.max(1, (t1 - t0) / 1000));
        }
      }
      double seconds = (System.nanoTime() - measureFrom) / 1e9;
      for (int k = 0; k < sizes.length; k++) {
        Result r =
            new Result("list", "list page of " + limit + ", " + where + ", " + sizes[k] + " convs")
                .param("conversations", sizes[k])
                .param("limit", limit)
                .param("where", where)
                .param("interleaved", true);
        r.histogram = histograms.get(k);
        r.ops = r.histogram.getTotalCount();
        r.errors = errors;
        r.lastError = lastError;
        r.seconds = seconds;
        bench.add(r);
        p50.put(limit + "/" + where + "@" + sizes[k], Load.round(r.percentileMillis(50)));
      }
    }
    summary.put("listPageP50Ms", p50);
    Bench.log("list page p50 (ms), limit/where@conversations: " + p50);
  }

  /** The cursor of the list after {@code skip} conversations (walked 200 at a time), or null. */
  private String cursorAfter(String token, int skip) throws Exception {
    String cursor = null;
    int walked = 0;
    while (walked < skip) {
      int limit = Math.min(200, skip - walked);
      Api.ListPage page =
          api.conversationsPage(
              token, "?limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor));
      walked += page.size();
      cursor = page.next();
      if (cursor == null) {
        return null;
      }
    }
    return cursor;
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}
