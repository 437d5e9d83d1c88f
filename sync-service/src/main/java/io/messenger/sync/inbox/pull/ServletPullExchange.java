package io.messenger.sync.inbox.pull;

import io.messenger.support.problem.ProblemAdvice;
import io.messenger.sync.StoreFailureAdvice;
import io.messenger.sync.inbox.PullResult;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
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
 * straight to the response: at once on the request thread, or, for a parked long-poll, in
 * non-blocking mode by the thread that wakes it ({@link NonBlocking}), after which the context
 * completes. A parked pull thus costs no second dispatch through the filters and the dispatcher
 * servlet when it is woken (with {@code DeferredResult} that dispatch was most of the cost of
 * waking 1,000 long-polls), and no container thread for its write. Failures after parking are
 * answered by the same controller advice methods as failures before it ({@link StoreFailureAdvice},
 * {@link ProblemAdvice}).
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
  private volatile Parked parked;

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
    parked = answering(context);
  }

  /**
   * How the parked pull will be answered: in non-blocking mode when the container offers it (every
   * servlet container does; the mock one of unit tests does not), otherwise by a blocking write on
   * a container thread.
   */
  private Parked answering(AsyncContext context) {
    NonBlocking nonBlocking = new NonBlocking(context);
    try {
      response.getOutputStream().setWriteListener(nonBlocking);
      return nonBlocking;
    } catch (UnsupportedOperationException | IOException e) {
      return (status, contentType, body, retryAfter) ->
          context.start(
              () -> {
                try {
                  write(status, contentType, body, retryAfter);
                } finally {
                  context.complete();
                }
              });
    }
  }

  /** The answer of a parked pull; given at most once, from any thread, and never blocks. */
  private interface Parked {
    void send(HttpStatus status, String contentType, byte[] body, String retryAfter);
  }

  /**
   * The response in non-blocking mode: the thread that answers writes it at once (a few hundred
   * bytes to a socket that has been quiet since the request, so it nearly always goes out whole)
   * and completes the exchange; what the socket does not take the container writes when it can
   * ({@link #onWritePossible}), completing then. Waking 1,000 parked pulls thus costs one container
   * dispatch each (the completion), not two (a write, then the completion).
   */
  private final class NonBlocking implements Parked, WriteListener {
    private final AsyncContext context;
    private boolean answered;
    private byte[] unwritten;
    private boolean over;

    NonBlocking(AsyncContext context) {
      this.context = context;
    }

    @Override
    public synchronized void send(
        HttpStatus status, String contentType, byte[] body, String retryAfter) {
      if (answered || over) {
        return;
      }
      answered = true;
      if (response.isCommitted()) {
        complete();
        return;
      }
      head(status, contentType, body.length, retryAfter);
      unwritten = body;
      writeWhatItTakes();
    }

    /** The container's call once the socket can take more (also once right after parking). */
    @Override
    public synchronized void onWritePossible() {
      if (answered && !over) {
        writeWhatItTakes();
      }
    }

    /** Writes the unwritten answer if the stream is ready; completes once nothing is left. */
    private void writeWhatItTakes() {
      try {
        ServletOutputStream out = response.getOutputStream();
        if (unwritten != null) {
          if (!out.isReady()) {
            return; // onWritePossible follows
          }
          byte[] body = unwritten;
          unwritten = null;
          out.write(body);
          out.flush();
        }
        if (!out.isReady()) {
          return; // the rest is going out; onWritePossible follows
        }
      } catch (IOException | IllegalStateException e) {
        log.debug("pull answer not delivered: {}", e.getMessage());
      }
      complete();
    }

    @Override
    public synchronized void onError(Throwable failure) {
      // The container ends the exchange itself (AsyncListener#onError above completes it).
      log.debug("pull answer not delivered: {}", failure.getMessage());
      over = true;
    }

    private void complete() {
      over = true;
      try {
        context.complete();
      } catch (IllegalStateException e) {
        // already over (the client went away and the container ended the exchange meanwhile)
      }
    }
  }

  private void respond(HttpStatus status, String contentType, byte[] body, String retryAfter) {
    Parked answer = parked;
    if (answer == null) {
      write(status, contentType, body, retryAfter);
    } else {
      answer.send(status, contentType, body, retryAfter);
    }
  }

  private void write(HttpStatus status, String contentType, byte[] body, String retryAfter) {
    if (response.isCommitted()) {
      return;
    }
    head(status, contentType, body.length, retryAfter);
    try {
      response.getOutputStream().write(body);
      response.flushBuffer();
    } catch (IOException e) {
      log.debug("pull answer not delivered: {}", e.getMessage());
    }
  }

  private void head(HttpStatus status, String contentType, int length, String retryAfter) {
    response.setStatus(status.value());
    response.setContentType(contentType);
    response.setContentLength(length);
    if (retryAfter != null) {
      response.setHeader(HttpHeaders.RETRY_AFTER, retryAfter);
    }
  }
}
