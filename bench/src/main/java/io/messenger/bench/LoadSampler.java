package io.messenger.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Samples the machine's 1-minute load average every 5 s while the driver runs: these machines are
 * shared and noisy, so every run reports the load it was taken under (min, mean, max).
 */
final class LoadSampler {

  private final Thread thread;
  private double min = Double.MAX_VALUE;
  private double max;
  private double sum;
  private int samples;

  private LoadSampler() {
    thread = new Thread(this::loop, "load-sampler");
    thread.setDaemon(true);
  }

  static LoadSampler start() {
    LoadSampler sampler = new LoadSampler();
    sampler.sample();
    sampler.thread.start();
    return sampler;
  }

  /** The current 1-minute load average, NaN if unknown. */
  static double oneMinute() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (Exception | Error e) {
      return Double.NaN;
    }
  }

  private void loop() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(5000);
      } catch (InterruptedException e) {
        return;
      }
      sample();
    }
  }

  private synchronized void sample() {
    double v = oneMinute();
    if (Double.isNaN(v)) {
      return;
    }
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
    samples++;
  }

  void stop() {
    thread.interrupt();
    sample();
  }

  synchronized Map<String, Object> figures() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("min", samples == 0 ? null : Load.round(min));
    m.put("mean", samples == 0 ? null : Load.round(sum / samples));
    m.put("max", samples == 0 ? null : Load.round(max));
    m.put("samples", samples);
    return m;
  }
}
