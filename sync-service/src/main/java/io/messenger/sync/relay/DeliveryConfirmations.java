package io.messenger.sync.relay;

import io.messenger.model.ConversationId;
import io.messenger.model.internal.HistoryApi;
import io.messenger.sync.SyncMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.springframework.stereotype.Component;

/**
 * The events this instance's own writes delivered to every recipient (history answered 2xx, so the
 * event is logged and its read tables written, and the fan-out succeeded). The relay worker reports
 * them to the history-service on its next pass ({@code POST /internal/v1/relay/confirm}), which
 * moves the conversation's relay checkpoint over them, so the relay does not check them again.
 *
 * <p>Bounded ({@value #CAPACITY}): when full, a confirmation is dropped and counted ({@value
 * SyncMetrics#DELIVERY_CONFIRMATIONS}{@code {outcome=dropped}}); its event is then checked by a
 * sweep as if it had never been confirmed, which costs work, never a delivery.
 */
@Component
public class DeliveryConfirmations {

  static final int CAPACITY = 20_000;

  private final BlockingQueue<HistoryApi.RelayDelivered> queue = new ArrayBlockingQueue<>(CAPACITY);
  // Only a worker of this instance reports them; package-private so tests can drive one by hand.
  volatile boolean enabled;
  private final Counter dropped;
  private final Counter unreplicated;

  DeliveryConfirmations(DeliveryProperties properties, MeterRegistry meters) {
    this.enabled = properties.relay();
    this.dropped =
        Counter.builder(SyncMetrics.DELIVERY_CONFIRMATIONS)
            .description("confirmations of delivered events, by outcome")
            .tag("outcome", "dropped")
            .register(meters);
    this.unreplicated =
        Counter.builder(SyncMetrics.DELIVERY_CONFIRMATIONS)
            .description("confirmations of delivered events, by outcome")
            .tag("outcome", "unreplicated")
            .register(meters);
  }

  /** Notes that every recipient's inbox holds the event {@code seq} of {@code conversation}. */
  public void delivered(ConversationId conversation, long seq) {
    if (enabled && !queue.offer(new HistoryApi.RelayDelivered(conversation, seq))) {
      dropped.increment();
    }
  }

  /** Takes up to {@code max} confirmations, oldest first. */
  List<HistoryApi.RelayDelivered> take(int max) {
    List<HistoryApi.RelayDelivered> out = new ArrayList<>(Math.min(max, queue.size()));
    queue.drainTo(out, max);
    return out;
  }

  /** Counts confirmations that were taken but could not be reported. */
  void lost(int count) {
    dropped.increment(count);
  }

  /**
   * Counts confirmations not reported because the Redis replicas had not caught up with them by the
   * next pass ({@code outcome=unreplicated}).
   */
  void unreplicated(int count) {
    unreplicated.increment(count);
  }
}
