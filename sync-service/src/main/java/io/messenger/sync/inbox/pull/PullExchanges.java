package io.messenger.sync.inbox.pull;

import io.messenger.support.problem.ProblemAdvice;
import io.messenger.sync.StoreFailureAdvice;
import io.messenger.sync.SyncExecutors;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Opens {@link ServletPullExchange}s; owns the renderer and the timer of long-poll waits. */
@Component
class PullExchanges {

  private final PullJson renderer;
  private final JsonMapper json;
  private final StoreFailureAdvice storeFailures;
  private final ProblemAdvice problems;
  private final ScheduledThreadPoolExecutor timer;

  PullExchanges(
      JsonMapper json,
      StoreFailureAdvice storeFailures,
      ProblemAdvice problems,
      SyncExecutors executors) {
    this.renderer = new PullJson(json);
    this.json = json;
    this.storeFailures = storeFailures;
    this.problems = problems;
    // Most waits end early (woken): the timer drops their tasks at once rather than at their due
    // time.
    this.timer = executors.scheduler("longpoll-timer");
  }

  PullExchange open(HttpServletRequest request, HttpServletResponse response) {
    return new ServletPullExchange(
        request, response, renderer, json, storeFailures, problems, timer);
  }
}
