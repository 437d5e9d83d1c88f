package io.messenger.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;

/**
 * The services' memory, for docs/operations.md ("Memory"): scenario {@code memory} samples both
 * services now (heap used / committed / max and direct buffers from their actuator metrics, RSS and
 * PSS of their processes from {@code /proc/<pid>/smaps_rollup}), labelled with the scenarios run
 * before it; scenario {@code park} parks {@code --park N} long-polls at once (default 1,000), holds
 * them while it samples both services three times, then wakes them all with one send.
 *
 * <pre>
 * ./scripts/bench.sh --only memory,park,pull,send,longpoll,memory --park 1000
 * </pre>
 *
 * The services' processes are found by their {@code --server.port=<port>} argument (as {@code
 * scripts/run.sh} starts them), so RSS/PSS need the benchmark on the same machine and user.
 */
final class MemoryScenario {

  private final Bench bench;
  private final Api api;
  private final List<Map<String, Object>> samples;

  MemoryScenario(Bench bench, Map<String, Object> summary) {
    this.bench = bench;
    this.api = bench.api;
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> existing =
        (List<Map<String, Object>>) summary.computeIfAbsent("memory", k -> new ArrayList<>());
    this.samples = existing;
  }

  /** One sample of both services, recorded under {@code label}. */
  void sample(String label) throws Exception {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("when", label);
    row.put("sync-service", service(api.sync));
    row.put("history-service", service(api.history));
    samples.add(row);
    Bench.log("memory " + row);
  }

  private Map<String, Object> service(String base) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    String text = api.get(base + "/actuator/prometheus", null).expect(200).body();
    m.put("heapUsedMiB", mib(sum(text, "jvm_memory_used_bytes", "area=\"heap\"")));
    m.put("heapCommittedMiB", mib(sum(text, "jvm_memory_committed_bytes", "area=\"heap\"")));
    m.put("heapMaxMiB", mib(sum(text, "jvm_memory_max_bytes", "area=\"heap\"")));
    m.put("nonHeapUsedMiB", mib(sum(text, "jvm_memory_used_bytes", "area=\"nonheap\"")));
    // ZGC's live set at the end of its last marking: what the heap must hold at the least
    m.put("liveDataMiB", mib(sum(text, "jvm_gc_live_data_size_bytes", "")));
    m.put("directMiB", mib(sum(text, "jvm_buffer_memory_used_bytes", "id=\"direct\"")));
    m.put("threads", (long) sum(text, "jvm_threads_live_threads", ""));
    Optional<Long> pid = pidOf(java.net.URI.create(base).getPort());
    m.put("pid", pid.orElse(-1L));
    if (pid.isPresent()) {
      Map<String, Long> rollup = smapsRollup(pid.get());
      m.put("rssMiB", rollup.getOrDefault("Rss", -1024L) / 1024);
      m.put("pssMiB", rollup.getOrDefault("Pss", -1024L) / 1024);
      // ZGC (Java 17) maps its heap three times: RSS counts heap pages thrice, PSS once (Pss_Shmem)
      m.put("pssShmemMiB", rollup.getOrDefault("Pss_Shmem", -1024L) / 1024);
      m.put("pssAnonMiB", rollup.getOrDefault("Pss_Anon", -1024L) / 1024);
    }
    return m;
  }

  private static double sum(String exposition, String name, String tag) {
    double total = 0;
    for (String line : exposition.split("\n")) {
      if ((line.startsWith(name + "{") && line.contains(tag)) || line.startsWith(name + " ")) {
        String[] parts = line.trim().split(" ");
        total += Double.parseDouble(parts[parts.length - 1]);
      }
    }
    return total;
  }

  private static long mib(double bytes) {
    return Math.round(bytes / (1024 * 1024));
  }

  /** The JVM started with {@code --server.port=<port>}. */
  static Optional<Long> pidOf(int port) {
    String arg = "--server.port=" + port;
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(arg)).orElse(false))
        .map(ProcessHandle::pid)
        .findFirst();
  }

  /** kB figures of {@code /proc/<pid>/smaps_rollup} (Rss, Pss, ...). */
  static Map<String, Long> smapsRollup(long pid) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 3 && parts[0].endsWith(":") && parts[2].equals("kB")) {
        out.put(parts[0].substring(0, parts[0].length() - 1), Long.parseLong(parts[1]));
      }
    }
    return out;
  }

  /** The most members one group of the park scenario has (a create's body stays within limits). */
  private static final int PARK_GROUP = 1_000;

  /**
   * Parks {@code clients} long-polls (one device each, in groups of up to {@value #PARK_GROUP}
   * members that share the first member), samples both services three times while they are all
   * parked, then wakes them with one send to each group.
   */
  void park(int clients) throws Exception {
    List<String> members = bench.users("m", clients);
    String sender = api.token(members.get(0), "d1");
    List<String> cids = new ArrayList<>();
    for (int from = 1; from < clients; from += PARK_GROUP - 1) {
      cids.add(
          api.createGroup(sender, members.subList(from, Math.min(clients, from + PARK_GROUP - 1))));
    }
    List<String> tokens = bench.tokens(members, "park");
    List<String> paths = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      JsonNode first = api.pullRetrying(tokens.get(i), null, 100);
      String cursor = first.path("resync").path("headCursor").asString();
      paths.add(api.pullUrl(cursor, 100, 30_000).substring(api.sync.length()));
    }
    double parked0 = api.metric(api.sync, "messenger_sync_longpoll_parked");
    AtomicReference<Exception> failure = new AtomicReference<>();
    Runnable holdThenWake =
        () -> {
          Thread t =
              new Thread(
                  () -> {
                    try {
                      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                      double parked = parked0;
                      while ((parked = api.metric(api.sync, "messenger_sync_longpoll_parked"))
                              < parked0 + clients
                          && System.nanoTime() < deadline) {
                        Thread.sleep(100);
                      }
                      Bench.log(String.format("%.0f long-polls parked; sampling", parked));
                      for (int i = 1; i <= 3; i++) {
                        Thread.sleep(3000);
                        sample(
                            String.format(
                                "%.0f parked long-polls (sample %d of 3)",
                                api.metric(api.sync, "messenger_sync_longpoll_parked"), i));
                      }
                      for (String cid : cids) {
                        api.send(sender, cid, bench.run + "park" + cid, "wake up");
                      }
                    } catch (Exception e) {
                      failure.set(e);
                    }
                  },
                  "park-sampler");
          t.setDaemon(true);
          t.start();
        };
    List<LongPollClient.Arrival> arrivals =
        LongPollClient.run(
            java.net.URI.create(api.sync).getHost(),
            java.net.URI.create(api.sync).getPort(),
            paths,
            tokens,
            holdThenWake,
            60_000);
    long ok = arrivals.stream().filter(a -> a.status() == 200).count();
    Load.Result r = new Load.Result("park", clients + " long-polls parked, then woken");
    r.param("clients", clients);
    r.ops = ok;
    r.errors = clients - ok;
    if (failure.get() != null) {
      r.lastError = String.valueOf(failure.get());
    }
    bench.add(r);
  }
}
