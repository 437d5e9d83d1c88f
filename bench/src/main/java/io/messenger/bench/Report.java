package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** Writes results.json, results.md and the PNG plots of one run. */
final class Report {

  private Report() {}

  static void write(Path out, Map<String, Object> summary, List<Result> results)
      throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("summary", summary);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Result r : results) {
      Map<String, Object> row = r.toMap();
      row.put("deployment", summary.get("deployment")); // single node or cluster: runs side by side
      rows.add(row);
    }
    doc.put("results", rows);
    Files.writeString(
        out.resolve("results.json"),
        Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n");
    Files.writeString(out.resolve("results.md"), markdown(summary, results));
    plots(out, results);
  }

  static String markdown(Map<String, Object> summary, List<Result> results) {
    StringBuilder md = new StringBuilder();
    Map<String, Object> shown = new LinkedHashMap<>(summary);
    Object breakdown = shown.remove("sendBreakdown");
    Object groups = shown.remove("groups");
    md.append("Deployment: ")
        .append(shown.remove("deployment"))
        .append(" ")
        .append(shown.remove("topology"))
        .append("\n\n");
    md.append("Run: ").append(shown).append("\n\n");
    md.append(
        "| scenario | case | concurrency | ops | errors | ops/s | p50 ms | p99 ms | max ms | notes"
            + " |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      Object c = r.params.getOrDefault("concurrency", r.params.getOrDefault("clients", ""));
      List<String> notes = new ArrayList<>();
      r.extra.forEach((k, v) -> notes.add(k + " " + v));
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %d | %d | %s | %s | %s | %s | %s |%n",
              r.scenario,
              r.name,
              c,
              r.ops,
              r.errors,
              r.seconds > 0 ? String.format(Locale.ROOT, "%.0f", r.throughput()) : "",
              f(r.percentileMillis(50)),
              f(r.percentileMillis(99)),
              f(r.maxMillis()),
              String.join(", ", notes)));
    }
    if (breakdown instanceof Map<?, ?> b) {
      breakdown(md, b);
    }
    if (groups instanceof Map<?, ?> g) {
      groups(md, g);
    }
    return md.toString();
  }

  /** The breakdown of one send: the services' own timers, then the raw twin's rounds. */
  private static void breakdown(StringBuilder md, Map<?, ?> b) {
    md.append("\n### Breakdown of one send (direct conversation, c=1, ")
        .append(b.get("sends"))
        .append(" sends)\n\n");
    md.append("Means of the services' own timers between two scrapes of /actuator/prometheus;")
        .append(" rows marked = are differences of the rows named.\n\n");
    md.append("| | piece | mean ms | calls |\n|---|---|---|---|\n");
    for (Object o : (List<?>) b.get("service")) {
      Map<?, ?> row = (Map<?, ?>) o;
      boolean derived = Boolean.TRUE.equals(row.get("derived"));
      md.append(
          String.format(
              Locale.ROOT,
              "| %s%s | %s | %s | %s |%n",
              derived ? "= " : "",
              row.get("ref"),
              row.get("piece"),
              num(row.get("meanMs")),
              row.get("count") == null ? "" : num(row.get("count"))));
    }
    md.append("\nConsensus rounds in the pass: ").append(b.get("logRounds")).append("\n");
    if (b.get("twin") instanceof List<?> twin) {
      md.append("\nRaw twin (the same statements and Redis calls from the driver, ")
          .append(b.get("twinSends"))
          .append(" sends), each round timed in the driver:\n\n")
          .append("| round | mean ms | p50 ms | p99 ms |\n|---|---|---|---|\n");
      for (Object o : twin) {
        Map<?, ?> row = (Map<?, ?>) o;
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s |%n",
                row.get("piece"),
                num(row.get("meanMs")),
                num(row.get("p50Ms")),
                num(row.get("p99Ms"))));
      }
    }
  }

  /** The large-group figures (scenario {@code groups}), one line each. */
  private static void groups(StringBuilder md, Map<?, ?> g) {
    md.append("\n### Large groups (scenario groups)\n\n");
    g.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
  }

  private static String num(Object v) {
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) && Math.abs(d) >= 10
          ? String.format(Locale.ROOT, "%.0f", d)
          : String.format(Locale.ROOT, "%.2f", d);
    }
    return v == null ? "—" : String.valueOf(v);
  }

  private static String f(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static List<Result> select(List<Result> results, Predicate<Result> p) {
    return results.stream().filter(p).toList();
  }

  private static boolean raw(Result r) {
    return Boolean.TRUE.equals(r.params.get("raw"));
  }

  private static boolean twin(Result r) {
    return Boolean.TRUE.equals(r.params.get("twin"));
  }

  private static void plots(Path out, List<Result> results) throws IOException {
    // pull latency against inbox depth
    List<Result> depth =
        select(results, r -> r.scenario.equals("pull") && r.name.contains(", depth "));
    plot(
        out.resolve("pull-latency-by-depth.png"),
        "Pull of up to 100 entries (c=4) by inbox depth",
        "inbox depth (entries)",
        "latency (ms)",
        true,
        depth,
        r -> ((Number) r.params.get("depth")).doubleValue(),
        Map.of(
            "sync-service p50",
            s(r -> !raw(r), r -> r.percentileMillis(50)),
            "sync-service p99",
            s(r -> !raw(r), r -> r.percentileMillis(99)),
            "raw Redis script p50",
            s(Report::raw, r -> r.percentileMillis(50)),
            "raw Redis script p99",
            s(Report::raw, r -> r.percentileMillis(99))));
    List<Result> conc = select(results, r -> r.scenario.equals("pull") && r.name.contains(", c="));
    plot(
        out.resolve("pull-throughput-by-concurrency.png"),
        "Pulls of 100 entries: throughput by concurrency",
        "concurrent clients",
        "pulls per second",
        true,
        conc,
        r -> ((Number) r.params.get("concurrency")).doubleValue(),
        Map.of(
            "sync-service (HTTP)",
            s(r -> !raw(r), Result::throughput),
            "raw Redis pull script (Lettuce)",
            s(Report::raw, Result::throughput)));
    List<Result> pages =
        select(
            results,
            r ->
                r.scenario.equals("page")
                    && !r.name.contains("c=8")
                    && !r.name.contains("interleaved"));
    plot(
        out.resolve("page-latency-by-length.png"),
        "History page of 50 by conversation length (c=1)",
        "messages in the conversation",
        "latency (ms)",
        true,
        pages,
        r -> ((Number) r.params.get("length")).doubleValue(),
        Map.of(
            "newest p50",
            s(r -> !raw(r) && "newest".equals(r.params.get("where")), r -> r.percentileMillis(50)),
            "newest p99",
            s(r -> !raw(r) && "newest".equals(r.params.get("where")), r -> r.percentileMillis(99)),
            "deep p50",
            s(r -> !raw(r) && "deep".equals(r.params.get("where")), r -> r.percentileMillis(50)),
            "deep p99",
            s(r -> !raw(r) && "deep".equals(r.params.get("where")), r -> r.percentileMillis(99)),
            "raw CQL deep p50",
            s(r -> raw(r) && "deep".equals(r.params.get("where")), r -> r.percentileMillis(50))));
    List<Result> sends = select(results, r -> r.scenario.equals("send") && r.name.endsWith("c=1"));
    plot(
        out.resolve("send-latency-by-group-size.png"),
        "Send latency by conversation size (c=1)",
        "members",
        "latency (ms)",
        true,
        sends,
        r -> ((Number) r.params.get("members")).doubleValue(),
        Map.of(
            "send p50",
            s(r -> !raw(r), r -> r.percentileMillis(50)),
            "send p99",
            s(r -> !raw(r), r -> r.percentileMillis(99)),
            "raw Redis fan-out p50",
            s(r -> raw(r) && !twin(r), r -> r.percentileMillis(50)),
            "raw twin (CQL + Redis) p50",
            s(Report::twin, r -> r.percentileMillis(50))));
    XYChart wakeups = null;
    for (Result r : select(results, r -> r.scenario.equals("longpoll"))) {
      if (r.histogram == null || r.histogram.getTotalCount() == 0) {
        continue;
      }
      if (wakeups == null) {
        wakeups =
            new XYChartBuilder()
                .width(800)
                .height(480)
                .title("Long-poll wake-up latency, " + r.params.get("clients") + " parked")
                .xAxisTitle("percentile")
                .yAxisTitle("ms")
                .build();
      }
      double[] xs = new double[101];
      double[] ys = new double[101];
      for (int i = 0; i <= 100; i++) {
        double p = i == 100 ? 100 : i;
        xs[i] = p;
        ys[i] = r.histogram.getValueAtPercentile(Math.max(p, 0.1)) / 1000.0;
      }
      wakeups
          .addSeries(String.valueOf(r.extra.get("measuredFrom")), xs, ys)
          .setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    }
    if (wakeups != null) {
      BitmapEncoder.saveBitmap(
          wakeups, out.resolve("longpoll-wakeup.png").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
  }

  private record Series(Predicate<Result> filter, ToDoubleFunction<Result> y) {}

  private static Series s(Predicate<Result> filter, ToDoubleFunction<Result> y) {
    return new Series(filter, y);
  }

  private static void plot(
      Path file,
      String title,
      String xTitle,
      String yTitle,
      boolean logX,
      List<Result> rows,
      ToDoubleFunction<Result> x,
      Map<String, Series> series)
      throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(480)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setXAxisLogarithmic(logX);
    boolean any = false;
    for (String name : series.keySet().stream().sorted().toList()) {
      Series sr = series.get(name);
      List<Result> points = rows.stream().filter(sr.filter()).toList();
      List<double[]> xy = new ArrayList<>();
      for (Result r : points) {
        double yv = sr.y().applyAsDouble(r);
        if (!Double.isNaN(yv)) {
          xy.add(new double[] {x.applyAsDouble(r), yv});
        }
      }
      if (xy.isEmpty()) {
        continue;
      }
      xy.sort((a, b) -> Double.compare(a[0], b[0]));
      chart.addSeries(
          name,
          xy.stream().mapToDouble(p -> p[0]).toArray(),
          xy.stream().mapToDouble(p -> p[1]).toArray());
      any = true;
    }
    if (any) {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
