package io.messenger.sync.inbox.pull;

import io.messenger.support.problem.ProblemAdvice;
import io.messenger.sync.StoreFailureAdvice;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Opens {@link ServletPullExchange}s; owns the renderer and the timer of long-poll waits. */
@Component
class PullExchanges implements DisposableBean {

  private final PullJson renderer;
  private final JsonMapper json;
  private final StoreFailureAdvice storeFailures;
  private final ProblemAdvice problems;
  private final ScheduledThreadPoolExecutor timer;

  PullExchanges(JsonMapper json, StoreFailureAdvice storeFailures, ProblemAdvice problems) {
    this.renderer = new PullJson(json);
    this.json = json;
    this.storeFailures = storeFailures;
    this.problems = problems;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = Executors.defaultThreadFactory().newThread(r);
              t.setName("longpoll-timer");
              t.setDaemon(true);
              return t;
            });
    // Most waits end early (woken): drop their timers at once rather than at their due time.
    timer.setRemoveOnCancelPolicy(true);
  }

  PullExchange open(HttpServletRequest request, HttpServletResponse response) {
    return new ServletPullExchange(
        request, response, renderer, json, storeFailures, problems, timer);
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
