package io.messenger.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Load shapes: a closed loop (N workers, each issuing its next call when the previous one answered)
 * and an open loop (calls started at a fixed rate whatever the answers do; latency is measured from
 * the intended start, so a stall is not hidden by coordinated omission). Latencies are recorded in
 * microseconds.
 */
final class Load {

  private Load() {}

  /** One call of a scenario; {@code worker} and {@code n} make ids unique. */
  @FunctionalInterface
  interface Call {
    void run(int worker, long n) throws Exception;
  }

  /** The outcome of one measured case: a row of the results table. */
  static final class Result {
    final String scenario;
    final String name;
    final Map<String, Object> params = new LinkedHashMap<>();
    final Map<String, Object> extra = new LinkedHashMap<>();
    long ops;
    long errors;
    double seconds;
    Histogram histogram;
    String lastError;

    Result(String scenario, String name) {
      this.scenario = scenario;
      this.name = name;
    }

    Result param(String key, Object value) {
      params.put(key, value);
      return this;
    }

    double throughput() {
      return seconds <= 0 ? 0 : ops / seconds;
    }

    double percentileMillis(double p) {
      return histogram == null || histogram.getTotalCount() == 0
          ? Double.NaN
          : histogram.getValueAtPercentile(p) / 1000.0;
    }

    double maxMillis() {
      return histogram == null || histogram.getTotalCount() == 0
          ? Double.NaN
          : histogram.getMaxValue() / 1000.0;
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scenario", scenario);
      m.put("case", name);
      m.put("params", params);
      m.put("ops", ops);
      m.put("errors", errors);
      m.put("seconds", round(seconds));
      m.put("throughputPerSec", round(throughput()));
      m.put("p50Ms", round(percentileMillis(50)));
      m.put("p90Ms", round(percentileMillis(90)));
      m.put("p99Ms", round(percentileMillis(99)));
      m.put("p999Ms", round(percentileMillis(99.9)));
      m.put("maxMs", round(maxMillis()));
      if (lastError != null) {
        m.put("lastError", lastError);
      }
      m.putAll(extra);
      return m;
    }
  }

  static Object round(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return null;
    }
    return Math.round(v * 1000.0) / 1000.0;
  }

  static Histogram histogram() {
    return new Histogram(120_000_000L, 3);
  }

  /** Runs {@code call} from {@code concurrency} workers for warm-up then the measured time. */
  static Result closed(
      Result result, int concurrency, Duration warmup, Duration measure, Call call) {
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    List<Thread> threads = new ArrayList<>();
    List<Histogram> histograms = new ArrayList<>();
    AtomicLong ops = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong lastEnd = new AtomicLong(end);
    String[] lastError = new String[1];
    for (int w = 0; w < concurrency; w++) {
      Histogram h = histogram();
      histograms.add(h);
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                long n = 0;
                boolean measured = false;
                while (true) {
                  long t0 = System.nanoTime();
                  // Past the end only a worker that has no measured call yet (each call slower
                  // than the whole window, on a loaded machine) makes one more, so every case
                  // reports a number.
                  if (t0 >= end && measured) {
                    return;
                  }
                  boolean late = t0 >= end;
                  boolean ok = true;
                  try {
                    call.run(worker, n++);
                  } catch (Exception | AssertionError e) {
                    ok = false;
                    lastError[0] = String.valueOf(e);
                  }
                  long t1 = System.nanoTime();
                  if (t0 >= measureFrom) {
                    measured = true;
                    lastEnd.accumulateAndGet(t1, Math::max);
                    if (ok) {
                      h.recordValue(Math.max(1, (t1 - t0) / 1000));
                      ops.incrementAndGet();
                    } else {
                      errors.incrementAndGet();
                    }
                  }
                  if (late) {
                    return;
                  }
                }
              },
              "bench-" + result.name + "-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    Histogram all = histogram();
    histograms.forEach(all::add);
    result.histogram = all;
    result.ops = ops.get();
    result.errors = errors.get();
    // Calls started in the window and answered after it stretch the window.
    result.seconds = (lastEnd.get() - measureFrom) / 1e9;
    result.lastError = lastError[0];
    result.param("concurrency", concurrency);
    return result;
  }

  /**
   * Starts {@code call} {@code rate} times a second (from a pool of {@code poolSize} threads) for
   * warm-up then the measured time; latency counts from each call's intended start.
   */
  static Result open(
      Result result, int rate, int poolSize, Duration warmup, Duration measure, Call call) {
    ExecutorService pool = Executors.newFixedThreadPool(poolSize);
    long period = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    org.HdrHistogram.Recorder recorder = new org.HdrHistogram.Recorder(120_000_000L, 3);
    AtomicLong ops = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    String[] lastError = new String[1];
    long n = 0;
    for (long intended = start; intended < end; intended = start + (++n) * period) {
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long at = intended;
      long index = n;
      pool.execute(
          () -> {
            boolean ok = true;
            try {
              call.run((int) (index % poolSize), index);
            } catch (Exception | AssertionError e) {
              ok = false;
              lastError[0] = String.valueOf(e);
            }
            if (at >= measureFrom) {
              if (ok) {
                recorder.recordValue(Math.max(1, (System.nanoTime() - at) / 1000));
                ops.incrementAndGet();
              } else {
                errors.incrementAndGet();
              }
            }
          });
    }
    pool.shutdown();
    try {
      pool.awaitTermination(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long finished = System.nanoTime();
    result.histogram = recorder.getIntervalHistogram();
    result.ops = ops.get();
    result.errors = errors.get();
    // Calls still answering after the last start stretch the window: count that time too.
    result.seconds = (Math.max(end, finished) - measureFrom) / 1e9;
    result.lastError = lastError[0];
    result.param("targetRatePerSec", rate);
    result.param("pool", poolSize);
    return result;
  }
}
