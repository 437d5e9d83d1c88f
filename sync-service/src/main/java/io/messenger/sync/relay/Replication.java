package io.messenger.sync.relay;

/**
 * The Redis masters' asynchronous replication, as the relay sees it. A master answers an append
 * before its replica has it; if the master then dies and the replica is promoted, the entry is gone
 * although the fan-out succeeded. The relay therefore reports a delivery (a write's confirmation or
 * its own progress) to the history-service only once every online replica has it: until then the
 * event stays behind the relay checkpoint, and a sweep delivers it again if it was lost.
 */
interface Replication {

  /**
   * Marks everything the masters have acknowledged so far.
   *
   * @throws RuntimeException when a master cannot be asked (nothing may then be reported)
   */
  ReplicaMark mark();

  /**
   * Whether every online replica of every master in {@code mark} has everything up to it. False
   * when a marked master is no longer a master (a failover happened) or cannot be asked.
   */
  boolean caughtUp(ReplicaMark mark);
}
