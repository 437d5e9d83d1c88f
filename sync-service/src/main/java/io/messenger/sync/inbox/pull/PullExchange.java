package io.messenger.sync.inbox.pull;

import io.messenger.sync.inbox.PullResult;
import java.time.Duration;

/**
 * The HTTP side of one pull, as {@link PullService} sees it: answered at once, or parked and
 * answered later from another thread. {@link #answer} or {@link #fail} is called at most once.
 */
interface PullExchange {

  /** Sends {@code result} as the answer. */
  void answer(PullResult result);

  /** Answers with the problem {@code failure} stands for. */
  void fail(RuntimeException failure);

  /**
   * Keeps the request open for up to {@code wait}: when it is over without an answer, {@code
   * onTimeout} runs (and answers); {@code onDone} runs once the exchange is over, however it ended
   * (answered, timed out, or the client went away).
   */
  void park(Duration wait, Runnable onTimeout, Runnable onDone);
}
