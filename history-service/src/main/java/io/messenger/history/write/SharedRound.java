package io.messenger.history.write;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The client writes one consensus round logged together (group commit), as their writers complete
 * them: the conversation's head hints and list position need writing once per round, not once per
 * event, because only the newest event's survive (they are written at timestamp = seq). So the
 * newest event's writer moves them for the whole round, from the event before the round ({@link
 * #previousAt}); the writers of the older events write only their own rows and wait for it ({@link
 * #awaitMoved}) before they answer, so every client that reads after its answer sees the
 * conversation moved. Should the newest writer fail or be slow, each older writer moves them for
 * its own event instead (the old way), which the newest's later write overrides.
 *
 * <p>A round is shared only when this instance knows the time of the event before it (it logged
 * that one), and when the newest event's head statement covers the others' (it is a message, or
 * none of them is: {@code last_message_seq} is written by messages only); otherwise every event is
 * projected on its own.
 */
public final class SharedRound {

  /** How long an older event's writer waits for the newest's move before doing its own. */
  static final Duration MOVE_WAIT = Duration.ofSeconds(2);

  private final Instant previousAt;
  private final long newestSeq;
  private final CompletableFuture<Boolean> moved = new CompletableFuture<>();

  SharedRound(Instant previousAt, long newestSeq) {
    this.previousAt = previousAt;
    this.newestSeq = newestSeq;
  }

  /** The time of the event just before the round. */
  Instant previousAt() {
    return previousAt;
  }

  /** Whether {@code event} is the round's newest: its writer moves the head for the round. */
  boolean isNewest(LoggedEvent event) {
    return event.seq() == newestSeq;
  }

  /**
   * Called by the newest event's writer: whether it moved the head hints and the list. The first
   * call decides; later ones change nothing.
   */
  void moved(boolean done) {
    moved.complete(done);
  }

  /** Waits for the newest event's writer: true when it moved them, false on failure or timeout. */
  boolean awaitMoved() {
    try {
      return moved.get(MOVE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }
}
