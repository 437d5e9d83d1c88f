package io.messenger.history.write;

import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import io.messenger.history.HistoryMetrics;
import io.messenger.history.cassandra.Async;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.ConversationService;
import io.messenger.history.conversation.FanoutProperties;
import io.messenger.model.ConversationId;
import io.messenger.model.Limits;
import io.messenger.model.Operation;
import io.messenger.model.Sha256;
import io.messenger.model.UserId;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
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
 * <p>A write costs one round of reads (membership, the client id's record, the relay mark, the
 * member list, which a direct conversation's writes read once per instance: issued together), one
 * consensus round shared with the conversation's concurrent writes ({@link
 * EventLog#append(ConversationId, EventLog.Write, EventLog.Head)}), and one round of completion
 * writes (client id record, read tables: together). Each write is timed as {@value
 * HistoryMetrics#WRITE}, its steps as {@value HistoryMetrics#WRITE_STEP}; each new event is logged
 * in one INFO line whose request id (MDC) ties it to the sync-service's line.
 */
@Service
public class EventService {

  private static final Logger logger = LoggerFactory.getLogger(EventService.class);

  private final ConversationService conversations;
  private final EventLog log;
  private final ClientRequests requests;
  private final Projections projections;
  private final OperationRules rules;
  private final DeliveryMarks marks;
  private final WriteProperties properties;
  private final FanoutProperties fanout;
  private final Clock clock;
  private final MeterRegistry meters;

  EventService(
      ConversationService conversations,
      EventLog log,
      ClientRequests requests,
      Projections projections,
      OperationRules rules,
      DeliveryMarks marks,
      WriteProperties properties,
      FanoutProperties fanout,
      Clock clock,
      MeterRegistry meters) {
    this.conversations = conversations;
    this.log = log;
    this.requests = requests;
    this.projections = projections;
    this.rules = rules;
    this.marks = marks;
    this.properties = properties;
    this.fanout = fanout;
    this.clock = clock;
    this.meters = meters;
  }

  /**
   * A durable event, whose inboxes must get it, and whether this call wrote it. {@code largeGroup}:
   * the event is for every member of a large group, who learn of it through the group's head (read
   * diffusion) instead: {@code recipients} is then empty.
   */
  public record Written(
      LoggedEvent event, List<UserId> recipients, boolean created, boolean largeGroup) {}

  /**
   * One client write: who, under which client id, what kind of request with which content
   * fingerprint, the operation if it is one (null for a message), and its event.
   */
  private record Request(
      ConversationId id,
      UserId actor,
      String clientId,
      String kind,
      String fingerprint,
      Operation operation,
      LoggedEvent.Draft draft) {

    boolean needsAllMembers() {
      return operation == null || OperationRules.needsAllMembers(operation.type());
    }
  }

  public Written sendMessage(ConversationId id, UserId sender, String clientMsgId, String text) {
    requireText(text);
    return write(
        new Request(
            id,
            sender,
            clientMsgId,
            "message",
            Sha256.hex("message", text),
            null,
            LoggedEvent.Draft.message(sender, clientMsgId, null, text)));
  }

  public Written operate(ConversationId id, UserId actor, String clientOpId, Operation op) {
    String text = op instanceof Operation.Edit edit ? edit.text() : "";
    if (op instanceof Operation.Edit edit) {
      requireText(edit.text());
    }
    return write(
        new Request(
            id,
            actor,
            clientOpId,
            "operation",
            Sha256.hex(op.type().wireName(), op.referencedSeq() + "\n" + text),
            op,
            LoggedEvent.Draft.operation(actor, clientOpId, null, op)));
  }

  private Written write(Request request) {
    Timer.Sample sample = Timer.start();
    String outcome = "failed";
    try {
      Written written = writeOnce(request);
      outcome = written.created() ? "created" : "retried";
      return written;
    } catch (ApiException e) {
      outcome = e.status().is4xxClientError() ? "rejected" : "failed";
      throw e;
    } finally {
      sample.stop(
          Timer.builder(HistoryMetrics.WRITE)
              .description("durable writes: idempotency check, seq, log append, read tables")
              .tags("kind", request.kind(), "outcome", outcome)
              .publishPercentileHistogram()
              .register(meters));
    }
  }

  private Written writeOnce(Request r) {
    // One round of reads, and the relay's mark written beside them: the conversation row and
    // membership, the client id's record, and (when every member hears of it) the member list.
    Timer.Sample step = Timer.start();
    CompletionStage<Void> marked = marks.markAsync(r.id());
    CompletionStage<Optional<ClientRequests.Request>> known =
        requests.findAsync(r.id(), r.actor(), r.clientId());
    // Bounded: one more than a write-diffusion group may have, whatever the group's size. When it
    // is read, it answers the membership too (no membership row read); a direct conversation's
    // two members are read once per instance (they never change).
    int limit = fanout.maxInboxMembers() + 1;
    CompletionStage<List<UserId>> prefetched =
        r.needsAllMembers() ? conversations.firstMembersAsync(r.id(), limit) : null;
    CompletionStage<Conversation> member =
        prefetched != null
            ? conversations.requireMemberAsync(r.id(), r.actor(), prefetched, limit)
            : conversations.requireMemberAsync(r.id(), r.actor());
    Conversation conversation = Async.await(member);
    Supplier<List<UserId>> members = inboxMembers(r.id(), conversation, prefetched);
    Optional<ClientRequests.Request> record = Async.await(known);
    if (record.isPresent()) {
      Written repeat = replayRecorded(r, conversation, record.get(), members);
      if (repeat != null) {
        return repeat;
      }
    }
    if (r.operation() != null) {
      rules.validate(conversation, r.actor(), r.operation(), hint(conversation));
    }
    Async.await(marked);
    stop(step, "reads");

    // Cassandra keeps milliseconds: so does the answer, so a retry returns the identical body.
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    step = Timer.start();
    EventLog.Appended appended =
        log.append(
            r.id(),
            // The mode is logged with the event: the relay routes it by the mode it was written in.
            new EventLog.Write(
                r.draft().stampedAt(now).inMode(conversation.large()), r.kind(), r.fingerprint()),
            hint(conversation));
    stop(step, "commit");
    if (appended instanceof EventLog.Appended.Duplicate duplicate) {
      requireSameContent(r, duplicate.requestKind(), duplicate.fingerprint());
      return replayLogged(r, conversation, duplicate.seq(), members);
    }
    EventLog.Appended.Created created = (EventLog.Appended.Created) appended;
    LoggedEvent event = created.event();
    step = Timer.start();
    // What this write has read already, handed to the projection so it is not read again: every
    // member (when they were prefetched: a write-diffusion conversation's events for everyone),
    // the previous event's time (when this instance logged that one) and the conversation's row.
    List<UserId> all;
    try {
      all = prefetched != null && !conversation.large() ? members.get() : null;
      complete(
          r, event, new EventIndex.Known(created.previousAt(), all, conversation), created.round());
    } finally {
      if (created.round() != null && created.round().isNewest(event)) {
        created.round().moved(false); // (no-op after a move: the first outcome stands)
      }
    }
    stop(step, "complete");
    Written written = written(conversation, event, all != null ? () -> all : members, true);
    logger.info(
        "event written: conversation={} seq={} kind={} recipients={} largeGroup={}",
        r.id().value(),
        event.seq(),
        r.kind(),
        written.recipients().size(),
        written.largeGroup());
    return written;
  }

  /**
   * The members whose inboxes get events for everyone: none in a large group (its events go by read
   * diffusion and the list is never read), otherwise the prefetched first rows when they are all (a
   * conversation whose count was never recorded may hold more: then every row is read).
   */
  private Supplier<List<UserId>> inboxMembers(
      ConversationId id, Conversation conversation, CompletionStage<List<UserId>> prefetched) {
    if (conversation.large()) {
      return List::of;
    }
    return () -> {
      List<UserId> first = prefetched == null ? null : Async.await(prefetched);
      return first != null && first.size() <= fanout.maxInboxMembers()
          ? first
          : conversations.members(id);
    };
  }

  private Written written(
      Conversation conversation,
      LoggedEvent event,
      Supplier<List<UserId>> members,
      boolean created) {
    boolean largeGroup =
        conversation.large() && OperationRules.reachesAllMembers(conversation.type(), event);
    List<UserId> to =
        largeGroup ? List.of() : OperationRules.recipients(conversation.type(), event, members);
    return new Written(event, to, created, largeGroup);
  }

  /**
   * Records the client id's seq and projects the event: independent idempotent writes, sent
   * together (for a direct message, one request). Should any fail, the client's retry or the
   * delivery relay repairs them.
   */
  private void complete(Request r, LoggedEvent event, EventIndex.Known known) {
    Async.await(projections.applyAsync(event, known, List.of(recorded(r, event))));
  }

  /**
   * {@link #complete(Request, LoggedEvent, EventIndex.Known)} for an event logged in a {@link
   * SharedRound} (null: alone): the newest event's writer moves the conversation's head hints and
   * list position for the whole round, from the event before it; the others write their own rows,
   * then wait for that move (or, when it failed or is late, move them for their own event).
   */
  private void complete(Request r, LoggedEvent event, EventIndex.Known known, SharedRound round) {
    if (round == null) {
      complete(r, event, known);
    } else if (round.isNewest(event)) {
      // (on failure, writeOnce tells the round it did not move them)
      complete(
          r,
          event,
          new EventIndex.Known(round.previousAt(), known.members(), known.conversation()));
      round.moved(true);
    } else {
      Async.await(projections.applyRowsAsync(event, known, List.of(recorded(r, event))));
      boolean moved = round.awaitMoved();
      if (!moved) {
        Async.await(projections.moveHeadAsync(event, known));
      }
      meters.counter(HistoryMetrics.HEAD_MOVES, "by", moved ? "newest" : "own").increment();
    }
  }

  /** The client id's record: its seq, kind and fingerprint. */
  private BatchableStatement<?> recorded(Request r, LoggedEvent event) {
    return requests.complete(
        r.id(), r.actor(), r.clientId(), r.kind(), r.fingerprint(), event.at(), event.seq());
  }

  /**
   * A client id with a record: the original event when the record has its seq; when it is a
   * reservation of the previous version's write path (no seq yet), 503 while its lease runs, then
   * the event it logged if any, else {@code null}: this request writes it.
   */
  private Written replayRecorded(
      Request r,
      Conversation conversation,
      ClientRequests.Request record,
      Supplier<List<UserId>> members) {
    requireSameContent(r, record.kind(), record.fingerprint());
    if (record.completed()) {
      return replayLogged(r, conversation, record.seq(), members);
    }
    Instant now = clock.instant();
    if (record.reservedAt() != null && record.reservedAt().plus(properties.lease()).isAfter(now)) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          ProblemType.REQUEST_IN_PROGRESS,
          "a request with this client id is still being processed",
          Duration.ofSeconds(1),
          null);
    }
    Instant from = record.reservedAt() == null ? Instant.EPOCH : record.reservedAt();
    Optional<LoggedEvent> logged =
        log.findByClientId(
            r.id(), r.actor(), r.clientId(), from.minus(properties.lease()), hint(conversation));
    return logged.map(e -> replayLogged(r, conversation, e.seq(), members)).orElse(null);
  }

  /** The event logged at {@code seq} for this client id, applied again (harmless, repairs). */
  private Written replayLogged(
      Request r, Conversation conversation, long seq, Supplier<List<UserId>> members) {
    LoggedEvent original =
        log.find(r.id(), seq)
            .orElseThrow(() -> new IllegalStateException("logged event missing: seq " + seq));
    complete(r, original, EventIndex.Known.NOTHING);
    return written(conversation, original, members, false);
  }

  private static void requireSameContent(Request r, String kind, String fingerprint) {
    if (!r.kind().equals(kind) || !r.fingerprint().equals(fingerprint)) {
      throw new ApiException(
          HttpStatus.CONFLICT,
          ProblemType.IDEMPOTENCY_CONFLICT,
          "client id " + r.clientId() + " was already used for different content");
    }
  }

  private void requireText(String text) {
    Limits.textProblem(text, properties.maxTextLength())
        .ifPresent(
            problem -> {
              throw switch (problem) {
                case EMPTY ->
                    ApiException.badRequest(ProblemType.VALIDATION, "text must not be empty");
                case MALFORMED ->
                    ApiException.badRequest(
                        ProblemType.VALIDATION, "text must not contain unpaired surrogates");
                case TOO_LONG ->
                    new ApiException(
                        HttpStatus.CONTENT_TOO_LARGE,
                        ProblemType.TEXT_TOO_LONG,
                        "text is limited to " + properties.maxTextLength() + " characters");
              };
            });
  }

  private void stop(Timer.Sample sample, String step) {
    sample.stop(
        Timer.builder(HistoryMetrics.WRITE_STEP)
            .description("steps of a durable write: reads, commit (consensus round), complete")
            .tag("step", step)
            .publishPercentileHistogram()
            .register(meters));
  }

  private static EventLog.Head hint(Conversation conversation) {
    return new EventLog.Head(conversation.lastSeq(), conversation.messageCount());
  }
}
