package io.messenger.sync.inbox.pull;

import io.messenger.support.problem.ProblemAdvice;
import io.messenger.sync.StoreFailureAdvice;
import io.messenger.sync.inbox.PullResult;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/**
 * A pull over the Servlet API. The answer is the pre-rendered JSON of {@link PullJson}, written
 * straight to the response: at once on the request thread, or, for a parked long-poll, on a
 * container thread of its {@link AsyncContext} ({@link AsyncContext#start}), after which the
 * context completes. A parked pull thus costs no second dispatch through the filters and the
 * dispatcher servlet when it is woken (with {@code DeferredResult} that dispatch was most of the
 * cost of waking 1,000 long-polls). Failures after parking are answered by the same controller
 * advice methods as failures before it ({@link StoreFailureAdvice}, {@link ProblemAdvice}).
 */
final class ServletPullExchange implements PullExchange {

  private static final Logger log = LoggerFactory.getLogger(ServletPullExchange.class);

  /** How long after its wait the container gives up on an exchange nobody answered. */
  static final Duration CONTAINER_MARGIN = Duration.ofSeconds(10);

  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final PullJson renderer;
  private final JsonMapper json;
  private final StoreFailureAdvice storeFailures;
  private final ProblemAdvice problems;
  private final ScheduledExecutorService timer;
  private volatile AsyncContext async;

  ServletPullExchange(
      HttpServletRequest request,
      HttpServletResponse response,
      PullJson renderer,
      JsonMapper json,
      StoreFailureAdvice storeFailures,
      ProblemAdvice problems,
      ScheduledExecutorService timer) {
    this.request = request;
    this.response = response;
    this.renderer = renderer;
    this.json = json;
    this.storeFailures = storeFailures;
    this.problems = problems;
    this.timer = timer;
  }

  @Override
  public void answer(PullResult result) {
    byte[] body = renderer.render(result);
    respond(HttpStatus.OK, MediaType.APPLICATION_JSON_VALUE, body, null);
  }

  /** Answers with what the controller advice gives for {@code failure} outside a parked pull. */
  @Override
  public void fail(RuntimeException failure) {
    ResponseEntity<?> answer =
        failure instanceof DataAccessException storeFailure
            ? storeFailures.storeFailure(storeFailure)
            : problems.unexpected(failure);
    ProblemDetail problem = (ProblemDetail) answer.getBody();
    problem.setInstance(URI.create(request.getRequestURI()));
    respond(
        HttpStatus.valueOf(answer.getStatusCode().value()),
        MediaType.APPLICATION_PROBLEM_JSON_VALUE,
        json.writeValueAsBytes(problem),
        answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER));
  }

  /**
   * The wait is timed here ({@code onTimeout} runs on the timer and answers like any wake-up); the
   * container's own timeout, {@link #CONTAINER_MARGIN} later, only ends an exchange that somehow
   * was never answered.
   */
  @Override
  public void park(Duration wait, Runnable onTimeout, Runnable onDone) {
    AsyncContext context = request.startAsync(request, response);
    context.setTimeout(wait.plus(CONTAINER_MARGIN).toMillis());
    ScheduledFuture<?> due = timer.schedule(onTimeout, wait.toMillis(), TimeUnit.MILLISECONDS);
    context.addListener(
        new AsyncListener() {
          @Override
          public void onTimeout(AsyncEvent event) {
            log.warn("a parked pull was not answered {} after its wait", CONTAINER_MARGIN);
            event.getAsyncContext().complete();
          }

          @Override
          public void onComplete(AsyncEvent event) {
            due.cancel(false);
            onDone.run();
          }

          @Override
          public void onError(AsyncEvent event) {
            // The client went away (or the container failed the request): nothing to answer.
            event.getAsyncContext().complete();
          }

          @Override
          public void onStartAsync(AsyncEvent event) {}
        });
    async = context;
  }

  private void respond(HttpStatus status, String contentType, byte[] body, String retryAfter) {
    AsyncContext context = async;
    if (context == null) {
      write(status, contentType, body, retryAfter);
      return;
    }
    // Woken on a waker or timer thread: write on a container thread (a slow client must not hold
    // up a waker), then end the exchange.
    context.start(
        () -> {
          try {
            write(status, contentType, body, retryAfter);
          } finally {
            context.complete();
          }
        });
  }

  private void write(HttpStatus status, String contentType, byte[] body, String retryAfter) {
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(status.value());
    response.setContentType(contentType);
    response.setContentLength(body.length);
    if (retryAfter != null) {
      response.setHeader(HttpHeaders.RETRY_AFTER, retryAfter);
    }
    try {
      response.getOutputStream().write(body);
      response.flushBuffer();
    } catch (IOException e) {
      log.debug("pull answer not delivered: {}", e.getMessage());
    }
  }
}
