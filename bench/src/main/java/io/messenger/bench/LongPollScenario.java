package io.messenger.bench;

import io.messenger.bench.Load.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * The long-poll scenario (docs/benchmarks/README.md, "Scenarios"): up to 1,000 parked pulls on one
 * selector thread ({@link LongPollClient}), one send, and how long each parked pull took to wake.
 */
final class LongPollScenario extends Scenario {

  /** The send scenario's group of 1,000 and its members, or null (smoke mode, or no send run). */
  private final String bigGroup;

  private final List<String> bigMembers;

  LongPollScenario(Bench bench, String bigGroup, List<String> bigMembers) {
    super(bench);
    this.bigGroup = bigGroup;
    this.bigMembers = bigMembers;
  }

  @Override
  void run() throws Exception {
    // 500: the largest group whose sends are fanned out to inboxes (messenger.fanout.max-inbox-
    // members); a larger one is a large group, whose members wake on largeGroups news instead.
    int clients = smoke ? 100 : 500;
    int rounds = smoke ? 2 : 5;
    List<String> members;
    String cid;
    if (!smoke && bigGroup != null && bigMembers.size() == clients) {
      members = bigMembers;
      cid = bigGroup;
    } else {
      members = bench.users("l", clients);
      String owner = api.token(members.get(0), "d1");
      cid = api.createGroup(owner, members.subList(1, clients));
    }
    String sender = api.token(members.get(0), "d1");
    List<String> tokens = bench.tokens(members, "lp");
    String[] cursors = new String[clients];
    for (int i = 0; i < clients; i++) {
      JsonNode first = api.pullRetrying(tokens.get(i), null, 100);
      cursors[i] = first.path("resync").path("headCursor").asString();
    }
    Histogram wake = Load.histogram();
    Histogram fromAppend = Load.histogram();
    Histogram sendLatency = Load.histogram();
    AtomicLong woken = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    String[] lastError = new String[1];
    // Round -1 warms up the JIT on the wake-up path; it is logged, not counted.
    for (int round = -1; round < rounds; round++) {
      int thisRound = round;
      AtomicLong t0 = new AtomicLong();
      AtomicLong sent = new AtomicLong();
      List<LongPollClient.Arrival> arrivals =
          parkAndSend(
              cursors,
              tokens,
              sender,
              cid,
              run + "lp" + thisRound,
              thisRound,
              t0,
              sent,
              errors,
              lastError);
      long roundStart = t0.get();
      List<long[]> times = new ArrayList<>();
      for (LongPollClient.Arrival a : arrivals) {
        try {
          if (a.status() != 200) {
            throw new IllegalStateException("HTTP " + a.status() + ": " + Api.abbreviate(a.text()));
          }
          JsonNode body = Api.JSON.readTree(a.body());
          if (body.path("entries").isEmpty()) {
            throw new IllegalStateException("woken without entries");
          }
          cursors[a.index()] = body.path("nextCursor").asString();
          // The entry's cursor is its stream id: <Redis server clock millis>-<n>, taken by XADD
          // on this machine's clock.
          String cursor = body.path("entries").get(0).path("cursor").asString();
          long appendedMillis = Long.parseLong(cursor.substring(0, cursor.indexOf('-')));
          times.add(new long[] {a.nanoTime() - roundStart, a.wallMicros() - appendedMillis * 1000});
        } catch (RuntimeException e) {
          errors.incrementAndGet();
          lastError[0] = String.valueOf(e);
        }
      }
      if (sent.get() > 0 && round >= 0) {
        sendLatency.recordValue(Math.max(1, (sent.get() - roundStart) / 1000));
      }
      for (long[] t : round >= 0 ? times : List.<long[]>of()) {
        wake.recordValue(Math.max(1, t[0] / 1000));
        fromAppend.recordValue(Math.max(1, t[1]));
        woken.incrementAndGet();
      }
      Bench.log(
          String.format(
              "long-poll round %d%s: %d woken, send %s, last wake-up at %.1f ms"
                  + " after the send started, %.1f ms at most after its entry was appended",
              round,
              round < 0 ? " (warm-up, not counted)" : "",
              times.size(),
              // Every poll can answer before the send's own answer arrives: then it is not timed.
              sent.get() > 0
                  ? String.format("answered in %.1f ms", Bench.ms(sent.get() - roundStart))
                  : "not answered yet when the last poll was (its time is not counted)",
              times.stream().mapToLong(t -> t[0]).max().orElse(0) / 1e6,
              times.stream().mapToLong(t -> t[1]).max().orElse(0) / 1e3));
    }
    Result r =
        wakeResult(
            clients + " parked long-polls woken by a send",
            rounds,
            wake,
            woken,
            errors,
            lastError[0],
            sendLatency,
            "the start of the send that wakes them");
    Result inbox =
        new Result("longpoll", clients + " parked long-polls, from their entry's append")
            .param("clients", clients)
            .param("rounds", rounds);
    inbox.histogram = fromAppend;
    inbox.ops = woken.get();
    inbox.errors = errors.get();
    inbox.lastError = lastError[0];
    inbox.seconds = 0;
    inbox.extra.put(
        "measuredFrom",
        "the append of each client's entry (its stream id, Redis clock, 1 ms resolution)");
    bench.add(inbox);
    summary.put("longPollWakeP99Ms", Load.round(inbox.percentileMillis(99)));
    summary.put("longPollWakeP50Ms", Load.round(inbox.percentileMillis(50)));
    summary.put("longPollWakeFromSendP99Ms", Load.round(r.percentileMillis(99)));
    summary.put("longPollWakeFromSendP50Ms", Load.round(r.percentileMillis(50)));
    if (!smoke && bigGroup != null) {
      largeGroup();
    }
  }

  /**
   * The 1,000 members of the send scenario's large group (read diffusion: no inbox entry, the
   * group's head moves) each park a long-poll; one member sends; each poll must wake with the group
   * in {@code largeGroups} at the new seq. Timed from the start of the send (the "p99 ≤ 100
   * ms with 1,000 parked" is about this). Between rounds every device acknowledges the news
   * (otherwise the next poll answers at once) and the acks are left a moment to be flushed.
   */
  private void largeGroup() throws Exception {
    largeGroup(bigGroup, bigMembers, 1, 5);
  }

  /**
   * The large-group case alone ({@code --only largepoll}): a group of 1,000 of its own, {@code
   * warmups} rounds not counted (a cold service's first rounds measure the JIT), then {@code
   * rounds}. For looking at the wake-up path without the send scenario's ten minutes before it.
   */
  void largeGroupOnly(int warmups, int rounds) throws Exception {
    List<String> members = bench.users("lgo", 1000);
    String owner = api.token(members.get(0), "d1");
    largeGroup(
        api.createGroup(owner, members.subList(1, members.size())), members, warmups, rounds);
  }

  private void largeGroup(String cid, List<String> bigMembers, int warmups, int rounds)
      throws Exception {
    int clients = bigMembers.size();
    String sender = api.token(bigMembers.get(0), "d1");
    List<String> tokens = bench.tokens(bigMembers, "lg");
    String[] cursors = new String[clients];
    for (int i = 0; i < clients; i++) {
      JsonNode first = api.pullRetrying(tokens.get(i), null, 100);
      cursors[i] = first.path("resync").path("headCursor").asString();
    }
    long head = newsSeq(api.pullRetrying(tokens.get(0), cursors[0], 100), cid);
    ackAll(tokens, cid, head);
    Histogram wake = Load.histogram();
    Histogram sendLatency = Load.histogram();
    AtomicLong woken = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    String[] lastError = new String[1];
    for (int round = -warmups; round < rounds; round++) {
      int thisRound = round;
      Thread.sleep(1_500); // the acks of the previous round flushed (ack-flush-interval 1 s)
      AtomicLong t0 = new AtomicLong();
      AtomicLong sent = new AtomicLong();
      List<LongPollClient.Arrival> arrivals =
          parkAndSend(
              cursors,
              tokens,
              sender,
              cid,
              run + "lg" + thisRound,
              thisRound,
              t0,
              sent,
              errors,
              lastError);
      long roundStart = t0.get();
      List<Long> times = new ArrayList<>();
      long newest = head;
      for (LongPollClient.Arrival a : arrivals) {
        try {
          if (a.status() != 200) {
            throw new IllegalStateException("HTTP " + a.status() + ": " + Api.abbreviate(a.text()));
          }
          JsonNode body = Api.JSON.readTree(a.body());
          long seq = newsSeq(body, cid);
          if (seq <= head || roundStart == 0 || a.nanoTime() < roundStart) {
            throw new IllegalStateException("woken without news of the send: " + a.text());
          }
          newest = Math.max(newest, seq);
          cursors[a.index()] = body.path("nextCursor").asString(cursors[a.index()]);
          times.add(a.nanoTime() - roundStart);
        } catch (RuntimeException e) {
          errors.incrementAndGet();
          lastError[0] = String.valueOf(e);
        }
      }
      head = newest;
      ackAll(tokens, cid, head);
      if (sent.get() > 0 && round >= 0) {
        sendLatency.recordValue(Math.max(1, (sent.get() - roundStart) / 1000));
      }
      for (long t : round >= 0 ? times : List.<Long>of()) {
        wake.recordValue(Math.max(1, t / 1000));
        woken.incrementAndGet();
      }
      Bench.log(
          String.format(
              "large-group long-poll round %d%s: %d of %d woken, last at %.1f ms after the send"
                  + " started",
              round,
              round < 0 ? " (warm-up, not counted)" : "",
              times.size(),
              clients,
              times.stream().mapToLong(t -> t).max().orElse(0) / 1e6));
    }
    Result r =
        wakeResult(
            clients + " parked long-polls of a large group woken by a send",
            rounds,
            wake,
            woken,
            errors,
            lastError[0],
            sendLatency,
            "the start of the send that wakes them (largeGroups news)");
    summary.put("longPollLargeGroupWakeFromSendP50Ms", Load.round(r.percentileMillis(50)));
    summary.put("longPollLargeGroupWakeFromSendP99Ms", Load.round(r.percentileMillis(99)));
  }

  /** One long-poll case's row: wake-up times from the start of the send, added to the results. */
  private Result wakeResult(
      String name,
      int rounds,
      Histogram wake,
      AtomicLong woken,
      AtomicLong errors,
      String lastError,
      Histogram sendLatency,
      String measuredFrom) {
    Result r =
        new Result("longpoll", name)
            .param("clients", Integer.parseInt(name.substring(0, name.indexOf(' '))))
            .param("rounds", rounds);
    r.histogram = wake;
    r.ops = woken.get();
    r.errors = errors.get();
    r.lastError = lastError;
    r.seconds = 0;
    r.extra.put("sendP50Ms", Load.round(sendLatency.getValueAtPercentile(50) / 1000.0));
    r.extra.put("measuredFrom", measuredFrom);
    bench.add(r);
    return r;
  }

  /**
   * Parks one long-poll per cursor (all on one selector thread), and once the parked gauge shows
   * them all, sends one message on another thread, stamping its start ({@code t0}) and its answer
   * ({@code sent}): the send runs beside the client's selector loop, so that answers are stamped as
   * they arrive, also while the send itself is still in flight. Returns every poll's answer.
   */
  private List<LongPollClient.Arrival> parkAndSend(
      String[] cursors,
      List<String> tokens,
      String sender,
      String cid,
      String clientMsgId,
      int round,
      AtomicLong t0,
      AtomicLong sent,
      AtomicLong errors,
      String[] lastError)
      throws Exception {
    int clients = cursors.length;
    double parked0 = api.metric(api.sync, "messenger_sync_longpoll_parked");
    List<String> paths = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      paths.add(api.pullUrl(cursors[i], 100, 30_000).substring(api.sync.length()));
    }
    Runnable wakeUp =
        () -> {
          Thread sending =
              new Thread(
                  () -> {
                    try {
                      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                      while (api.metric(api.sync, "messenger_sync_longpoll_parked")
                              < parked0 + clients
                          && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                      }
                      Thread.sleep(200);
                      t0.set(System.nanoTime());
                      api.send(sender, cid, clientMsgId, "wake up " + round);
                      sent.set(System.nanoTime());
                    } catch (Exception e) {
                      errors.incrementAndGet();
                      lastError[0] = String.valueOf(e);
                    }
                  },
                  "longpoll-sender");
          sending.setDaemon(true);
          sending.start();
        };
    java.net.URI sync = java.net.URI.create(api.sync);
    return LongPollClient.run(sync.getHost(), sync.getPort(), paths, tokens, wakeUp, 60_000);
  }

  /** The seq of {@code cid} in an answer's {@code largeGroups}, or 0 when it is not listed. */
  private static long newsSeq(JsonNode answer, String cid) {
    for (JsonNode g : answer.path("largeGroups")) {
      if (cid.equals(g.path("conversationId").asString())) {
        return g.path("lastSeq").asLong();
      }
    }
    return 0;
  }

  /** Every device acknowledges the group's news up to {@code seq}, 16 at a time. */
  private void ackAll(List<String> tokens, String cid, long seq) throws Exception {
    if (seq <= 0) {
      return;
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(16);
    try {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (String token : tokens) {
        acks.add(
            pool.submit(
                () -> {
                  api.ackLargeGroup(token, cid, seq);
                  return null;
                }));
      }
      for (java.util.concurrent.Future<?> f : acks) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
