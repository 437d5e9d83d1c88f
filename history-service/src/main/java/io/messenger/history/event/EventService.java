package io.messenger.history.event;

import io.messenger.history.HistoryMetrics;
import io.messenger.history.cassandra.Async;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.Operation;
import io.messenger.model.OperationType;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The durable write path: messages and operations get their seq here, are written to the log and
 * applied to the read tables before anyone is told. Every write is idempotent by (sender, client
 * id): a retry with the same content returns the original event ({@code created = false}); the same
 * id with other content is a 409.
 *
 * <p>Each write is timed as {@value HistoryMetrics#WRITE} (by kind and outcome) and its log append
 * as {@value HistoryMetrics#LOG_APPEND}; each new event is logged in one INFO line whose request id
 * (MDC) ties it to the sync-service's line for the same client request.
 */
@Service
public class EventService {

  private static final Logger logger = LoggerFactory.getLogger(EventService.class);

  private final ConversationService conversations;
  private final EventLog log;
  private final ClientRequests requests;
  private final Projections projections;
  private final WriteProperties properties;
  private final Clock clock;
  private final MeterRegistry meters;

  EventService(
      ConversationService conversations,
      EventLog log,
      ClientRequests requests,
      Projections projections,
      WriteProperties properties,
      Clock clock,
      MeterRegistry meters) {
    this.conversations = conversations;
    this.log = log;
    this.requests = requests;
    this.projections = projections;
    this.properties = properties;
    this.clock = clock;
    this.meters = meters;
  }

  /** A durable event, who must hear of it, and whether this call wrote it. */
  public record Written(LoggedEvent event, List<UserId> recipients, boolean created) {}

  public Written sendMessage(ConversationId id, UserId sender, String clientMsgId, String text) {
    requireText(text);
    return write(
        id,
        sender,
        clientMsgId,
        "message",
        fingerprint("message", text),
        true,
        conversation -> {},
        now -> LoggedEvent.Draft.message(sender, clientMsgId, now, text),
        (conversation, event, members) -> members.get());
  }

  public Written operate(ConversationId id, UserId actor, String clientOpId, Operation op) {
    String text = op instanceof Operation.Edit edit ? edit.text() : "";
    if (op instanceof Operation.Edit edit) {
      requireText(edit.text());
    }
    return write(
        id,
        actor,
        clientOpId,
        "operation",
        fingerprint(op.type().wireName(), op.referencedSeq() + "\n" + text),
        op.type() == OperationType.RECALL || op.type() == OperationType.EDIT,
        conversation -> validate(conversation, actor, op),
        now -> LoggedEvent.Draft.operation(actor, clientOpId, now, op),
        (conversation, event, members) -> recipients(conversation, actor, op, members));
  }

  private interface Recipients {
    List<UserId> of(Conversation conversation, LoggedEvent event, Supplier<List<UserId>> members);
  }

  private interface Validation {
    void check(Conversation conversation);
  }

  private Written write(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      boolean prefetchMembers,
      Validation validation,
      Function<Instant, LoggedEvent.Draft> draft,
      Recipients recipients) {
    Timer.Sample sample = Timer.start();
    String outcome = "failed";
    try {
      Written written =
          writeOnce(
              id,
              actor,
              clientId,
              kind,
              fingerprint,
              prefetchMembers,
              validation,
              draft,
              recipients);
      outcome = written.created() ? "created" : "retried";
      return written;
    } catch (ApiException e) {
      outcome = e.status().is4xxClientError() ? "rejected" : "failed";
      throw e;
    } finally {
      sample.stop(
          Timer.builder(HistoryMetrics.WRITE)
              .description("durable writes: idempotency check, seq, log append, read tables")
              .tags("kind", kind, "outcome", outcome)
              .publishPercentileHistogram()
              .register(meters));
    }
  }

  private Written writeOnce(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      boolean prefetchMembers,
      Validation validation,
      Function<Instant, LoggedEvent.Draft> draft,
      Recipients recipients) {
    // The independent reads go out together: conversation row, membership, the client id's
    // request row and (when the recipients are all members) the member list. One round trip
    // instead of four.
    CompletionStage<Conversation> member = conversations.requireMemberAsync(id, actor);
    CompletionStage<Optional<ClientRequests.Request>> request =
        requests.findAsync(id, actor, clientId);
    CompletionStage<List<UserId>> prefetched =
        prefetchMembers ? conversations.membersAsync(id) : null;
    Supplier<List<UserId>> members =
        () -> prefetched != null ? Async.await(prefetched) : conversations.members(id);
    Conversation conversation = Async.await(member);
    Optional<ClientRequests.Request> known = Async.await(request);
    if (known.isPresent()) {
      LoggedEvent original = replay(conversation, actor, clientId, kind, fingerprint, known.get());
      if (original != null) {
        return new Written(original, recipients.of(conversation, original, members), false);
      }
      validation.check(conversation);
    } else {
      validation.check(conversation);
      Optional<ClientRequests.Request> holder =
          requests.reserve(id, actor, clientId, kind, fingerprint, clock.instant());
      if (holder.isPresent()) {
        LoggedEvent original =
            replay(conversation, actor, clientId, kind, fingerprint, holder.get());
        if (original != null) {
          return new Written(original, recipients.of(conversation, original, members), false);
        }
      }
    }
    // Cassandra keeps milliseconds: so does the answer, so a retry returns the identical body.
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    Timer.Sample append = Timer.start();
    LoggedEvent event = log.append(id, draft.apply(now), hint(conversation));
    append.stop(
        Timer.builder(HistoryMetrics.LOG_APPEND)
            .description("event log appends (the conditional insert that takes the seq)")
            .tag("kind", kind)
            .publishPercentileHistogram()
            .register(meters));
    // Completing the request and projecting the event are independent idempotent writes: issued
    // together. Should either fail, the client's retry finds the logged event and repairs both.
    CompletionStage<Void> completed = requests.completeAsync(id, actor, clientId, event.seq());
    projections.apply(event);
    Async.await(completed);
    List<UserId> to = recipients.of(conversation, event, members);
    logger.info(
        "event written: conversation={} seq={} kind={} recipients={}",
        id.value(),
        event.seq(),
        kind,
        to.size());
    return new Written(event, to, true);
  }

  /**
   * Handles a client id seen before: the original event (applied again, which is harmless and
   * repairs a write that failed after logging), or {@code null} when this request took over a stale
   * reservation under which nothing was logged and must now write the event itself.
   */
  private LoggedEvent replay(
      Conversation conversation,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      ClientRequests.Request request) {
    ConversationId id = conversation.id();
    if (!request.kind().equals(kind) || !request.fingerprint().equals(fingerprint)) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          ProblemType.IDEMPOTENCY_CONFLICT,
          "client id " + clientId + " was already used for different content");
    }
    if (request.completed()) {
      LoggedEvent original =
          log.find(id, request.seq())
              .orElseThrow(() -> new IllegalStateException("logged event missing: " + request));
      projections.apply(original);
      return original;
    }
    Instant now = clock.instant();
    if (request.reservedAt().plus(properties.lease()).isAfter(now)
        || !requests.takeOver(id, actor, clientId, request.reservedAt(), now)) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          ProblemType.REQUEST_IN_PROGRESS,
          "a request with this client id is still being processed",
          Duration.ofSeconds(1),
          null);
    }
    Optional<LoggedEvent> logged =
        log.findByClientId(
            id,
            actor,
            clientId,
            request.reservedAt().minus(properties.lease()),
            hint(conversation));
    if (logged.isEmpty()) {
      return null;
    }
    requests.complete(id, actor, clientId, logged.get().seq());
    projections.apply(logged.get());
    return logged.get();
  }

  private void validate(Conversation conversation, UserId actor, Operation op) {
    ConversationId id = conversation.id();
    if (op instanceof Operation.Read read) {
      if (read.upToSeq() > conversation.lastSeq()
          && read.upToSeq() > log.head(id, hint(conversation)).seq()) {
        throw ApiException.badRequest(
            ProblemType.INVALID_TARGET, "upToSeq " + read.upToSeq() + " is beyond the newest seq");
      }
      return;
    }
    LoggedEvent target =
        log.find(id, op.referencedSeq())
            .filter(LoggedEvent::isMessage)
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        ProblemType.INVALID_TARGET,
                        "seq " + op.referencedSeq() + " is not a message of this conversation"));
    if (op.type() == OperationType.DELETE_FOR_ME) {
      return;
    }
    if (!target.actorId().equals(actor)) {
      throw new ApiException(
          HttpStatus.FORBIDDEN,
          ProblemType.NOT_SENDER,
          "only the sender of a message may " + op.type().wireName() + " it");
    }
    if (projections.isRecalled(target)) {
      throw new ApiException(
          HttpStatus.CONFLICT, ProblemType.ALREADY_RECALLED, "the message was recalled");
    }
    if (op.type() == OperationType.RECALL
        && target.at().plus(properties.recallWindow()).isBefore(clock.instant())) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          ProblemType.RECALL_WINDOW_EXPIRED,
          "messages can be recalled for " + properties.recallWindow() + " after sending");
    }
  }

  private static List<UserId> recipients(
      Conversation conversation, UserId actor, Operation op, Supplier<List<UserId>> members) {
    return switch (op.type()) {
      case DELETE_FOR_ME -> List.of(actor);
      case RECALL, EDIT -> members.get();
      case READ -> conversation.type() == ConversationType.DIRECT ? members.get() : List.of(actor);
    };
  }

  private void requireText(String text) {
    if (text == null || text.isEmpty()) {
      throw ApiException.badRequest(ProblemType.VALIDATION, "text must not be empty");
    }
    if (!io.messenger.model.Limits.isWellFormedText(text)) {
      throw ApiException.badRequest(
          ProblemType.VALIDATION, "text must not contain unpaired surrogates");
    }
    if (text.length() > properties.maxTextLength()) {
      throw new ApiException(
          HttpStatus.CONTENT_TOO_LARGE,
          ProblemType.TEXT_TOO_LONG,
          "text is limited to " + properties.maxTextLength() + " characters");
    }
  }

  private static EventLog.Head hint(Conversation conversation) {
    return new EventLog.Head(conversation.lastSeq(), conversation.messageCount());
  }

  private static String fingerprint(String kind, String content) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(kind.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(content.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
