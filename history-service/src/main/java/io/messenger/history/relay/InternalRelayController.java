package io.messenger.history.relay;

import io.messenger.model.ConversationId;
import io.messenger.model.InboxItem;
import io.messenger.model.Message;
import io.messenger.model.OperationEvent;
import io.messenger.model.UserId;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The relay API of the sync-service's relay workers (service token only): a sweep of one shard
 * hands out the logged events to deliver again; the worker reports back what it delivered.
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

  record SweepRequest(
      @Min(0) @Max(CassandraRelayMarks.SHARDS - 1) int shard,
      @Size(max = 64) String after,
      @Min(0) @Max(60_000) long settleMs) {}

  /**
   * One event to deliver: exactly one of {@code message}, {@code operation} and {@code system} (a
   * membership change's notice) is set. See {@link RelayService.Delivery}: {@code largeGroup} means
   * "move the group's head".
   */
  record Delivery(
      Message message,
      OperationEvent operation,
      List<UserId> recipients,
      boolean largeGroup,
      InboxItem.SystemItem system) {}

  record SweepResponse(
      List<Delivery> deliveries, List<RelayService.Progress> progress, String next) {}

  record ShardCursor(
      @Min(0) @Max(CassandraRelayMarks.SHARDS - 1) int shard, @Size(max = 64) String after) {}

  record SweepsRequest(
      @NotNull @Size(min = 1, max = CassandraRelayMarks.SHARDS)
          List<@Valid @NotNull ShardCursor> shards,
      @Min(0) @Max(60_000) long settleMs) {}

  record ShardSwept(
      int shard, List<Delivery> deliveries, List<RelayService.Progress> progress, String next) {}

  record SweepsResponse(List<ShardSwept> sweeps) {}

  record Delivered(@NotNull ConversationId conversationId, @Min(1) long seq) {}

  record ConfirmRequest(@NotNull @Size(max = 1000) List<@Valid @NotNull Delivered> delivered) {}

  record ConfirmResponse(int advanced) {}

  record AdvanceRequest(@NotNull @Size(max = 1000) List<@Valid Progress> progress) {}

  record AdvanceResponse(int recorded) {}

  record Progress(
      @NotNull ConversationId conversationId,
      @Min(0) long upToSeq,
      @Min(0) long coveredMark,
      @Min(0) long clearMark) {}

  @io.swagger.v3.oas.annotations.Operation(
      summary = "The logged events of one relay shard that must be delivered again")
  @PostMapping("/sweep")
  SweepResponse sweep(@Valid @RequestBody SweepRequest request) {
    RelayService.Sweep sweep =
        relay.sweep(request.shard(), request.after(), Duration.ofMillis(request.settleMs()));
    return new SweepResponse(deliveries(sweep), sweep.progress(), sweep.next());
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary =
          "The logged events of several relay shards that must be delivered again (one call per"
              + " pass of a worker; at most 1,000 events in all)")
  @PostMapping("/sweeps")
  SweepsResponse sweeps(@Valid @RequestBody SweepsRequest request) {
    List<RelayService.ShardCursor> cursors =
        request.shards().stream()
            .map(c -> new RelayService.ShardCursor(c.shard(), c.after()))
            .toList();
    List<RelayService.Sweep> sweeps = relay.sweep(cursors, Duration.ofMillis(request.settleMs()));
    List<ShardSwept> out = new java.util.ArrayList<>(sweeps.size());
    for (int i = 0; i < sweeps.size(); i++) {
      RelayService.Sweep sweep = sweeps.get(i);
      out.add(
          new ShardSwept(
              cursors.get(i).shard(), deliveries(sweep), sweep.progress(), sweep.next()));
    }
    return new SweepsResponse(out);
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary =
          "Record events whose own fan-out reached every recipient, so the relay need not check"
              + " them again")
  @PostMapping("/confirm")
  ConfirmResponse confirm(@Valid @RequestBody ConfirmRequest request) {
    return new ConfirmResponse(
        relay.confirm(
            request.delivered().stream()
                .map(d -> new RelayService.Delivered(d.conversationId(), d.seq()))
                .toList()));
  }

  private static List<Delivery> deliveries(RelayService.Sweep sweep) {
    return sweep.deliveries().stream()
        .map(
            d ->
                d.notification() != null
                    ? new Delivery(null, null, d.recipients(), false, d.notification())
                    : d.event().isMessage()
                        ? new Delivery(
                            d.event().toMessage(), null, d.recipients(), d.largeGroup(), null)
                        : new Delivery(
                            null, d.event().toOperation(), d.recipients(), d.largeGroup(), null))
        .toList();
  }

  @io.swagger.v3.oas.annotations.Operation(
      summary = "Record what a relay worker delivered (checkpoints, covered and idle marks)")
  @PostMapping("/advance")
  AdvanceResponse advance(@Valid @RequestBody AdvanceRequest request) {
    relay.advance(
        request.progress().stream()
            .map(
                p ->
                    new RelayService.Progress(
                        p.conversationId(), p.upToSeq(), p.coveredMark(), p.clearMark()))
            .toList());
    return new AdvanceResponse(request.progress().size());
  }
}
