package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The ack storm (docs/benchmarks/README.md, "Scenarios"): 100 devices each acking 10 times a
 * second, and the store writes that the coalescing leaves of them.
 */
final class AckScenario extends Scenario {

  AckScenario(Bench bench) {
    super(bench);
  }

  @Override
  void run() throws Exception {
    int userCount = smoke ? 5 : 25;
    int devicesPerUser = 4;
    int acksPerDevicePerSecond = 10;
    Duration time = smoke ? Duration.ofSeconds(3) : Duration.ofSeconds(10);
    List<String> users = bench.users("a", userCount);
    String owner = api.token(users.get(0), "d0");
    String cid = api.createGroup(owner, users.subList(1, userCount));
    for (int i = 0; i < 50; i++) {
      api.sendRetrying(owner, cid, run + "ack" + i, "to be acked " + i);
    }
    record Device(String token, List<String> cursors) {}
    List<Device> devices = new ArrayList<>();
    for (int d = 0; d < devicesPerUser; d++) {
      List<String> tokens = bench.tokens(users, "a" + d);
      for (String t : tokens) {
        List<String> cursors = new ArrayList<>();
        api.pull(t, "0-0", 100)
            .path("entries")
            .forEach(e -> cursors.add(e.path("cursor").asString()));
        devices.add(new Device(t, cursors));
      }
    }
    int threads = Math.min(32, devices.size());
    long periodNanos = 1_000_000_000L / acksPerDevicePerSecond;
    double writes0 = api.metric(api.sync, "messenger_sync_ack_writes_total");
    double received0 = api.metric(api.sync, "messenger_sync_ack_received_total");
    Result r = new Result("ack", "ack storm: " + devices.size() + " devices");
    r.param("devices", devices.size()).param("targetAcksPerDevicePerSec", acksPerDevicePerSecond);
    r.param("concurrency", threads);
    long start = System.nanoTime();
    long end = start + time.toNanos();
    List<Histogram> hs = new ArrayList<>();
    AtomicLong ops = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      Histogram h = Load.histogram();
      hs.add(h);
      int worker = w;
      Thread t =
          new Thread(
              () -> {
                long round = 0;
                while (System.nanoTime() < end) {
                  long roundStart = start + round * periodNanos;
                  for (int d = worker; d < devices.size(); d += threads) {
                    Device dev = devices.get(d);
                    String cursor =
                        dev.cursors().get((int) Math.min(round, dev.cursors().size() - 1));
                    long t0 = System.nanoTime();
                    try {
                      api.ack(dev.token(), cursor);
                      h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
                      ops.incrementAndGet();
                    } catch (Exception e) {
                      errors.incrementAndGet();
                      r.lastError = String.valueOf(e);
                    }
                  }
                  round++;
                  long next = start + round * periodNanos - System.nanoTime();
                  if (next > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(next);
                  }
                  if (roundStart > end) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    // Let the coalescer flush what it held when the storm ended, then read the counters.
    Thread.sleep(1500);
    double writes = api.metric(api.sync, "messenger_sync_ack_writes_total") - writes0;
    double received = api.metric(api.sync, "messenger_sync_ack_received_total") - received0;
    Histogram all = Load.histogram();
    hs.forEach(all::add);
    r.histogram = all;
    r.ops = ops.get();
    r.errors = errors.get();
    r.seconds = seconds;
    // Conservative: the flush after the storm counts against the storm time.
    double perDevice = writes / devices.size() / seconds;
    r.extra.put("acksReceived", received);
    r.extra.put("storeWrites", writes);
    r.extra.put("storeWritesPerSec", Load.round(writes / seconds));
    r.extra.put("storeWritesPerDevicePerSec", Load.round(perDevice));
    bench.add(r);
    summary.put("ackStoreWritesPerDevicePerSec", Load.round(perDevice));
    Bench.log(
        String.format(
            "ack storm: %.0f acks received, %.0f store writes, %.2f writes/device/s",
            received, writes, perDevice));
  }
}
