package io.messenger.sync.inbox;

import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import io.messenger.sync.SyncMetrics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;

/**
 * The fan-out of new items to inboxes (sends, operations, notifications, the relay). Pulls are
 * {@code inbox.pull.PullService}. Metrics are recorded here; the store only stores.
 */
@Service
public class InboxService {

  private final InboxStore store;
  private final DistributionSummary fanoutSize;

  InboxService(InboxStore store, MeterRegistry meters) {
    this.store = store;
    this.fanoutSize =
        DistributionSummary.builder(SyncMetrics.FANOUT_SIZE)
            .description("inboxes one write is delivered to")
            .register(meters);
  }

  /**
   * Appends {@code item} to the inbox of every one of {@code users} (each once, idempotently by the
   * item's dedupe key); the store's append publishes the news that wakes their long-polls.
   *
   * @return the users whose inbox got a new entry (those that already had it are left out)
   */
  public List<UserId> deliver(Collection<UserId> users, InboxItem item) {
    Set<UserId> distinct = Set.copyOf(users);
    fanoutSize.record(distinct.size());
    return store.append(distinct, item).stream()
        .filter(AppendResult::added)
        .map(AppendResult::user)
        .toList();
  }
}
