package io.messenger.history.relay;

import io.messenger.model.internal.HistoryApi.RelayAdvance;
import io.messenger.model.internal.HistoryApi.RelayAdvanced;
import io.messenger.model.internal.HistoryApi.RelayConfirm;
import io.messenger.model.internal.HistoryApi.RelayConfirmed;
import io.messenger.model.internal.HistoryApi.RelayDelivery;
import io.messenger.model.internal.HistoryApi.RelayProgress;
import io.messenger.model.internal.HistoryApi.RelayShardSwept;
import io.messenger.model.internal.HistoryApi.RelaySweep;
import io.messenger.model.internal.HistoryApi.RelaySweeps;
import io.messenger.model.internal.HistoryApi.RelaySwept;
import io.messenger.model.internal.HistoryApi.RelaySweptShards;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The relay API of the sync-service's relay workers (service token only): a sweep of one shard
 * hands out the logged events to deliver again; the worker reports back what it delivered. The
 * bodies are {@link io.messenger.model.internal.HistoryApi}'s.
 */
@RestController
// One "internal" tag for the whole internal API (same description everywhere: one tag in OpenAPI).
@Tag(name = "internal", description = "The write API of the sync-service (service tokens only)")
@RequestMapping("/internal/v1/relay")
class InternalRelayController {

  private final RelayService relay;

  InternalRelayController(RelayService relay) {
    this.relay = relay;
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary = "The logged events of one relay shard that must be delivered again")
  @PostMapping("/sweep")
  RelaySwept sweep(@Valid @RequestBody RelaySweep request) {
    RelayService.Sweep sweep =
        relay.sweep(request.shard(), request.after(), Duration.ofMillis(request.settleMs()));
    return new RelaySwept(deliveries(sweep), progress(sweep), sweep.next());
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary =
          "The logged events of several relay shards that must be delivered again (one call per"
              + " pass of a worker; at most 1,000 events in all)")
  @PostMapping("/sweeps")
  RelaySweptShards sweeps(@Valid @RequestBody RelaySweeps request) {
    List<RelayService.ShardCursor> cursors =
        request.shards().stream()
            .map(c -> new RelayService.ShardCursor(c.shard(), c.after()))
            .toList();
    List<RelayService.Sweep> sweeps = relay.sweep(cursors, Duration.ofMillis(request.settleMs()));
    List<RelayShardSwept> out = new ArrayList<>(sweeps.size());
    for (int i = 0; i < sweeps.size(); i++) {
      RelayService.Sweep sweep = sweeps.get(i);
      out.add(
          new RelayShardSwept(
              cursors.get(i).shard(), deliveries(sweep), progress(sweep), sweep.next()));
    }
    return new RelaySweptShards(out);
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary =
          "Record events whose own fan-out reached every recipient, so the relay need not check"
              + " them again")
  @PostMapping("/confirm")
  RelayConfirmed confirm(@Valid @RequestBody RelayConfirm request) {
    return new RelayConfirmed(
        relay.confirm(
            request.delivered().stream()
                .map(d -> new RelayService.Delivered(d.conversationId(), d.seq()))
                .toList()));
  }

  private static List<RelayDelivery> deliveries(RelayService.Sweep sweep) {
    return sweep.deliveries().stream()
        .map(
            d ->
                d.notification() != null
                    ? new RelayDelivery(null, null, d.recipients(), false, d.notification())
                    : d.event().isMessage()
                        ? new RelayDelivery(
                            d.event().toMessage(), null, d.recipients(), d.largeGroup(), null)
                        : new RelayDelivery(
                            null, d.event().toOperation(), d.recipients(), d.largeGroup(), null))
        .toList();
  }

  private static List<RelayProgress> progress(RelayService.Sweep sweep) {
    return sweep.progress().stream()
        .map(
            p -> new RelayProgress(p.conversationId(), p.upToSeq(), p.coveredMark(), p.clearMark()))
        .toList();
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary = "Record what a relay worker delivered (checkpoints, covered and idle marks)")
  @PostMapping("/advance")
  RelayAdvanced advance(@Valid @RequestBody RelayAdvance request) {
    relay.advance(
        request.progress().stream()
            .map(
                p ->
                    new RelayService.Progress(
                        p.conversationId(), p.upToSeq(), p.coveredMark(), p.clearMark()))
            .toList());
    return new RelayAdvanced(request.progress().size());
  }
}
