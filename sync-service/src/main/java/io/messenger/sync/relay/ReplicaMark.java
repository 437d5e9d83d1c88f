package io.messenger.sync.relay;

import java.util.Map;

/**
 * How far each Redis master's replication stream had gone when a batch of deliveries was complete:
 * master node id → {@code master_repl_offset}. Only masters with an online replica are in it; an
 * empty mark ({@link #NONE}) means no replica could be promoted over a write, so nothing needs to
 * be awaited.
 */
record ReplicaMark(Map<String, Long> offsets) {

  static final ReplicaMark NONE = new ReplicaMark(Map.of());

  ReplicaMark {
    offsets = Map.copyOf(offsets);
  }

  boolean none() {
    return offsets.isEmpty();
  }
}
