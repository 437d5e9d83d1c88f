package io.messenger.history.write;

import io.messenger.model.ConversationId;
import java.util.concurrent.CompletionStage;

/**
 * Where the write path notes, before it logs anything, that a conversation has events the delivery
 * relay must check: written beside the write's reads, awaited before its consensus round, so no
 * event is ever logged without a mark that leads the relay to it.
 */
public interface DeliveryMarks {

  CompletionStage<Void> markAsync(ConversationId id);
}
