package io.messenger.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One scrape of a service's {@code /actuator/prometheus}, for before/after deltas of its own timers
 * and counters: the sum of every series of a metric whose labels contain all the given {@code
 * name="value"} pairs (a value ending in {@code *} matches as a prefix).
 */
final class ServiceTimers {

  private final List<String> lines;

  private ServiceTimers(List<String> lines) {
    this.lines = lines;
  }

  static ServiceTimers scrape(Api api, String base) throws Exception {
    String text = api.get(base + "/actuator/prometheus", null).expect(200).body();
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        lines.add(line.trim());
      }
    }
    return new ServiceTimers(lines);
  }

  /** The summed value of {@code metric}'s series matching {@code labels}, NaN if there is none. */
  double value(String metric, String... labels) {
    double sum = 0;
    boolean found = false;
    for (String line : lines) {
      if (!line.startsWith(metric)) {
        continue;
      }
      int at = metric.length();
      String labelText;
      if (line.length() > at && line.charAt(at) == '{') {
        int close = line.lastIndexOf('}');
        labelText = line.substring(at + 1, close);
      } else if (line.length() > at && line.charAt(at) == ' ') {
        labelText = "";
      } else {
        continue;
      }
      if (!matches(labelText, labels)) {
        continue;
      }
      String[] parts = line.split(" ");
      sum += Double.parseDouble(parts[parts.length - 1]);
      found = true;
    }
    return found ? sum : Double.NaN;
  }

  private static boolean matches(String labelText, String[] labels) {
    for (String label : labels) {
      int eq = label.indexOf('=');
      String key = label.substring(0, eq + 1) + "\"";
      String want = label.substring(eq + 1);
      int from = labelText.startsWith(key) ? 0 : labelText.indexOf("," + key);
      if (from < 0) {
        return false;
      }
      int start = labelText.indexOf('"', from) + 1;
      int end = labelText.indexOf('"', start);
      String have = labelText.substring(start, end);
      boolean ok =
          want.endsWith("*")
              ? have.startsWith(want.substring(0, want.length() - 1))
              : have.equals(want);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * The mean in milliseconds of a timer's observations between two scrapes ({@code _seconds_sum}
   * and {@code _seconds_count} deltas), and their number; NaN when the timer does not exist.
   */
  static double[] meanMillis(
      ServiceTimers before, ServiceTimers after, String timer, String... labels) {
    double sum =
        after.value(timer + "_seconds_sum", labels) - before.value(timer + "_seconds_sum", labels);
    double count =
        after.value(timer + "_seconds_count", labels)
            - before.value(timer + "_seconds_count", labels);
    if (Double.isNaN(sum) && !Double.isNaN(after.value(timer + "_seconds_sum", labels))) {
      // First observed between the two scrapes.
      sum = after.value(timer + "_seconds_sum", labels);
      count = after.value(timer + "_seconds_count", labels);
    }
    return new double[] {count > 0 ? sum / count * 1000 : Double.NaN, count};
  }

  /** A counter's (or summary's) delta between two scrapes; the after value if it is new. */
  static double delta(ServiceTimers before, ServiceTimers after, String metric, String... labels) {
    double a = after.value(metric, labels);
    double b = before.value(metric, labels);
    return Double.isNaN(b) ? a : a - b;
  }
}
