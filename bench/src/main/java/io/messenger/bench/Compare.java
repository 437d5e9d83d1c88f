package io.messenger.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Several runs side by side, e.g. a single-node run and a cluster run ({@code scripts/bench.sh
 * --cluster}): one markdown table with a row per case (scenario and case name, in the order the
 * runs list them) and, for each run, its ops/s, p50 and p99.
 *
 * <pre>
 * java -cp bench/target/classes:$(cat bench/target/classpath.txt) io.messenger.bench.Compare \
 *     [--only pull,send,page] docs/benchmarks/single/results.json docs/benchmarks/cluster/results.json
 * </pre>
 *
 * A run's column is headed by its deployment ({@code single node} or {@code cluster}, "single node"
 * for a run made before the deployment was recorded) and its label.
 */
public final class Compare {

  private Compare() {}

  public static void main(String[] args) throws Exception {
    Set<String> only = null;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--only") && i + 1 < args.length) {
        only = new LinkedHashSet<>(List.of(args[++i].split(",")));
      } else if (args[i].startsWith("--")) {
        throw new IllegalArgumentException("unknown argument " + args[i]);
      } else {
        files.add(Path.of(args[i]));
      }
    }
    if (files.isEmpty()) {
      System.err.println("usage: Compare [--only pull,send,page] results.json...");
      System.exit(2);
    }
    List<JsonNode> runs = new ArrayList<>();
    for (Path f : files) {
      runs.add(Api.JSON.readTree(Files.readString(f)));
    }
    System.out.print(table(runs, only));
  }

  static String table(List<JsonNode> runs, Set<String> only) {
    // case -> run index -> row
    Map<String, Map<Integer, JsonNode>> cases = new LinkedHashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      for (JsonNode row : runs.get(i).path("results")) {
        String scenario = row.path("scenario").asString("");
        if (only != null && !only.contains(scenario)) {
          continue;
        }
        String key = scenario + "\u0000" + row.path("case").asString("");
        cases.computeIfAbsent(key, k -> new LinkedHashMap<>()).putIfAbsent(i, row);
      }
    }
    StringBuilder md = new StringBuilder();
    for (int i = 0; i < runs.size(); i++) {
      JsonNode s = runs.get(i).path("summary");
      md.append(String.format(Locale.ROOT, "- run %d: %s%n", i + 1, heading(s)))
          .append("  ")
          .append(s.path("topology").isMissingNode() ? "" : s.path("topology").toString())
          .append(
              String.format(
                  Locale.ROOT,
                  " (started %s, load average 1 min during the run %s)%n",
                  s.path("startedAt").asString("?"),
                  s.path("loadAverage1mDuringRun")));
    }
    md.append("\n| scenario | case | concurrency |");
    StringBuilder rule = new StringBuilder("|---|---|---|");
    for (int i = 0; i < runs.size(); i++) {
      String h = heading(runs.get(i).path("summary"));
      md.append(String.format(Locale.ROOT, " %s ops/s | %s p50 ms | %s p99 ms |", h, h, h));
      rule.append("---|---|---|");
    }
    md.append('\n').append(rule).append('\n');
    for (Map.Entry<String, Map<Integer, JsonNode>> e : cases.entrySet()) {
      String[] key = e.getKey().split("\u0000", 2);
      JsonNode any = e.getValue().values().iterator().next();
      JsonNode params = any.path("params");
      JsonNode c = params.has("concurrency") ? params.path("concurrency") : params.path("clients");
      md.append("| ").append(key[0]).append(" | ").append(key[1]).append(" | ");
      md.append(c.isMissingNode() ? "" : c.toString()).append(" |");
      for (int i = 0; i < runs.size(); i++) {
        JsonNode row = e.getValue().get(i);
        if (row == null) {
          md.append(" | | |");
        } else {
          md.append(' ')
              .append(num(row.path("throughputPerSec"), "%.0f"))
              .append(" | ")
              .append(num(row.path("p50Ms"), "%.2f"))
              .append(" | ")
              .append(num(row.path("p99Ms"), "%.2f"))
              .append(" |");
        }
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static String heading(JsonNode summary) {
    String deployment = summary.path("deployment").asString("single node");
    String label = summary.path("label").asString("");
    return label.isEmpty() ? deployment : deployment + " (" + label + ")";
  }

  private static String num(JsonNode v, String format) {
    return v.isNumber() ? String.format(Locale.ROOT, format, v.asDouble()) : "";
  }
}
