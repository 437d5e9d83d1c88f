package io.messenger.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the {@code jdk.ExecutionSample} events of a JFR recording: the hottest top frames
 * (self time) and the project methods most often on the stack (total time), as percentages of all
 * samples. {@code java -cp ... io.messenger.bench.JfrTop recording.jfr [rows]}
 */
public final class JfrTop {

  private JfrTop() {}

  public static void main(String[] args) throws Exception {
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    // Optional: only the samples with this method (a substring of Class.method) on the stack.
    String only = args.length > 2 ? args[2] : null;
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> total = new HashMap<>();
    int samples = 0;
    String jvm = "";
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      if (e.getEventType().getName().equals("jdk.JVMInformation")) {
        jvm = e.getString("javaArguments");
      }
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      if (only != null && frames.stream().noneMatch(f -> name(f).contains(only))) {
        continue;
      }
      samples++;
      self.merge(name(frames.get(0)), 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame f : frames) {
        String n = name(f);
        if ((only != null || n.startsWith("io.messenger.")) && seen.add(n)) {
          total.merge(n, 1, Integer::sum);
        }
      }
    }
    System.out.println("JVM arguments: " + jvm);
    System.out.println("execution samples: " + samples);
    print("hottest frames (self)", self, samples, rows);
    print("project methods on the stack (total)", total, samples, rows);
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int samples, int rows) {
    System.out.println("\n" + title);
    counts.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .limit(rows)
        .forEach(
            en ->
                System.out.printf(
                    "  %5.1f%%  %s%n", 100.0 * en.getValue() / Math.max(1, samples), en.getKey()));
  }
}
