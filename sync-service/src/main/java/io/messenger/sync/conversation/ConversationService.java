package io.messenger.sync.conversation;

import io.messenger.model.ConversationId;
import io.messenger.model.ConversationType;
import io.messenger.model.InboxItem;
import io.messenger.model.Limits;
import io.messenger.model.Operation;
import io.messenger.model.OperationType;
import io.messenger.model.SystemNotification;
import io.messenger.model.UserId;
import io.messenger.model.internal.HistoryApi;
import io.messenger.support.problem.ApiException;
import io.messenger.support.problem.ProblemType;
import io.messenger.sync.StoreErrors;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.conversation.ConversationRequests.ApplyOperation;
import io.messenger.sync.conversation.ConversationRequests.ChangeMembers;
import io.messenger.sync.conversation.ConversationRequests.ConversationCreated;
import io.messenger.sync.conversation.ConversationRequests.CreateConversation;
import io.messenger.sync.conversation.ConversationRequests.MembersChanged;
import io.messenger.sync.conversation.ConversationRequests.MessageAccepted;
import io.messenger.sync.conversation.ConversationRequests.OperationAccepted;
import io.messenger.sync.conversation.ConversationRequests.SendMessage;
import io.messenger.sync.conversation.WriteLimits.GroupProperties;
import io.messenger.sync.conversation.WriteLimits.MessageProperties;
import io.messenger.sync.history.HistoryClient;
import io.messenger.sync.history.Outcome;
import io.messenger.sync.inbox.InboxService;
import io.messenger.sync.largegroup.LargeGroupStore;
import io.messenger.sync.relay.DeliveryConfirmations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The write path: checks a client write, makes it durable through the history-service, then fans
 * the resulting entry out to the inboxes of its recipients.
 *
 * <p>Nothing reaches an inbox unless the history-service accepted the write (2xx). The fan-out runs
 * for repeats (200) too: inbox dedupe keys make it idempotent, and it completes a fan-out an
 * earlier attempt did not finish. If the inboxes cannot be written after the write became durable,
 * the answer is 503 with {@code Retry-After}: the client's retry returns the stored result and
 * delivers.
 */
@Service
class ConversationService {

  private static final Logger log = LoggerFactory.getLogger(ConversationService.class);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final HistoryClient history;
  private final InboxService inbox;
  private final LargeGroupStore largeGroups;
  private final DeliveryConfirmations confirmations;
  private final MessageProperties messageLimits;
  private final GroupProperties groupLimits;
  private final MeterRegistry meters;
  private final Clock clock;

  ConversationService(
      HistoryClient history,
      InboxService inbox,
      LargeGroupStore largeGroups,
      DeliveryConfirmations confirmations,
      MessageProperties messageLimits,
      GroupProperties groupLimits,
      MeterRegistry meters,
      Clock clock) {
    this.history = history;
    this.inbox = inbox;
    this.largeGroups = largeGroups;
    this.confirmations = confirmations;
    this.messageLimits = messageLimits;
    this.groupLimits = groupLimits;
    this.meters = meters;
    this.clock = clock;
  }

  Outcome<ConversationCreated> create(UserId caller, CreateConversation request) {
    if (request == null || request.type() == null) {
      throw invalid("type is required (direct or group)");
    }
    ConversationType type = ConversationType.fromWire(request.type());
    Set<UserId> members = new LinkedHashSet<>();
    members.add(caller);
    members.addAll(userIds("members", request.members()));
    if (type == ConversationType.DIRECT && members.size() != 2) {
      throw invalid("a direct conversation has exactly one member besides the caller");
    }
    if (members.size() > groupLimits.maxMembers()) {
      throw ApiException.badRequest(
          ProblemType.GROUP_TOO_LARGE,
          "a conversation has at most " + groupLimits.maxMembers() + " members");
    }
    if (request.title() != null && request.title().length() > Limits.MAX_TITLE_LENGTH) {
      throw invalid("title must be at most " + Limits.MAX_TITLE_LENGTH + " characters");
    }
    if (request.title() != null && !Limits.isWellFormedText(request.title())) {
      throw invalid("title must not contain unpaired surrogates");
    }
    if (request.clientRequestId() != null && !Limits.isValidId(request.clientRequestId())) {
      throw invalid("clientRequestId must match " + Limits.ID_PATTERN.pattern());
    }
    Outcome<HistoryApi.Conversation> outcome =
        durably(
            "conversation",
            null,
            () ->
                history.createConversation(
                    new HistoryApi.CreateConversation(
                        type,
                        List.copyOf(members),
                        request.title(),
                        caller,
                        request.clientRequestId())));
    HistoryApi.Conversation c = outcome.body();
    UserId createdBy = c.createdBy() == null ? caller : c.createdBy();
    Instant at = c.createdAt() == null ? clock.instant() : c.createdAt();
    if (c.large()) {
      // Every member's index holds the group before anyone hears of it (seq 1 on: read diffusion).
      indexed(() -> largeGroups.opened(c.conversationId(), 0, c.members()));
    }
    fanOut(
        c.members(),
        new InboxItem.SystemItem(
            SystemNotification.idOf("created", c.conversationId().value()),
            c.conversationId(),
            at,
            c.large()
                ? new SystemNotification.ConversationCreated(
                    c.type(),
                    c.title(),
                    Limits.firstMembers(c.members()),
                    createdBy,
                    c.members().size())
                : new SystemNotification.ConversationCreated(
                    c.type(), c.title(), c.members(), createdBy)));
    return new Outcome<>(
        new ConversationCreated(c.conversationId(), c.type(), c.title(), c.members(), at),
        outcome.created());
  }

  MembersChanged changeMembers(UserId caller, ConversationId conversation, ChangeMembers request) {
    List<UserId> add = userIds("add", request == null ? null : request.add());
    List<UserId> remove = userIds("remove", request == null ? null : request.remove());
    if (add.isEmpty() && remove.isEmpty()) {
      throw invalid("add or remove must name at least one member");
    }
    if (add.size() > groupLimits.maxMembers()) {
      throw ApiException.badRequest(
          ProblemType.GROUP_TOO_LARGE,
          "a conversation has at most " + groupLimits.maxMembers() + " members");
    }
    HistoryApi.MembersChanged change =
        durably(
                "members",
                null,
                () ->
                    history.changeMembers(
                        conversation, new HistoryApi.ChangeMembers(caller, add, remove)))
            .body();
    Instant at = change.at() == null ? clock.instant() : change.at();
    indexMembership(conversation, change);
    // In a large group only the affected members and the actor hear of a change.
    Set<UserId> told = new LinkedHashSet<>();
    if (change.large()) {
      told.add(caller);
      told.addAll(change.added());
    }
    if (!change.added().isEmpty()) {
      fanOut(
          change.large() ? told : change.members(),
          new InboxItem.SystemItem(
              SystemNotification.idOf("added", conversation.value(), change.changeId()),
              conversation,
              at,
              SystemNotification.MemberAdded.of(change.added(), caller, change.large())));
    }
    if (!change.removed().isEmpty()) {
      Set<UserId> before = new LinkedHashSet<>(change.large() ? told : change.members());
      before.add(caller);
      before.addAll(change.removed());
      fanOut(
          before,
          new InboxItem.SystemItem(
              SystemNotification.idOf("removed", conversation.value(), change.changeId()),
              conversation,
              at,
              SystemNotification.MemberRemoved.of(change.removed(), caller, change.large())));
    }
    if (change.seq() > 0) {
      confirmations.delivered(conversation, change.seq()); // the relay need not re-drive it
    }
    return new MembersChanged(
        conversation,
        change.type(),
        change.title(),
        change.large() ? Limits.firstMembers(change.members()) : change.members(),
        change.added(),
        change.removed(),
        change.memberCount() > 0 ? change.memberCount() : change.members().size());
  }

  /**
   * Keeps the large-group index in step with a membership change, before anyone is told of it: a
   * group that became large opens a large period (every member indexed), one that stays large
   * indexes who joined and drops who left, one that went back to write diffusion closes its period
   * (the remaining members keep it until they have read it).
   */
  private void indexMembership(ConversationId conversation, HistoryApi.MembersChanged change) {
    if (!change.wasLarge() && !change.large()) {
      return;
    }
    indexed(
        () -> {
          if (!change.wasLarge()) {
            largeGroups.opened(conversation, change.lastSeq(), change.members());
          } else if (change.large()) {
            largeGroups.joined(conversation, change.lastSeq(), change.added());
          } else {
            largeGroups.closed(conversation, change.lastSeq());
          }
          largeGroups.left(conversation, change.removed());
        });
  }

  /**
   * The news of an event of a large group: the group's head moves (and its members' long-polls
   * wake) instead of an inbox fan-out.
   */
  private void announce(ConversationId conversation, long seq, Instant at) {
    Timer.Sample sample = Timer.start();
    indexed(() -> largeGroups.advance(conversation, seq, at));
    step(sample, "fanout");
  }

  /** A write to the large-group index; Redis failing answers 503 like a failed fan-out. */
  private void indexed(Runnable write) {
    try {
      write.run();
    } catch (DataAccessException e) {
      StoreErrors.count(meters, StoreErrors.REDIS, e);
      throw ApiException.unavailable(
          "the write is stored but its large-group index could not be updated yet; retry it",
          RETRY_AFTER,
          e);
    }
  }

  Outcome<MessageAccepted> send(UserId caller, ConversationId conversation, SendMessage request) {
    if (request == null || !Limits.isValidClientId(request.clientMsgId())) {
      throw invalid("clientMsgId must match " + Limits.CLIENT_ID_PATTERN.pattern());
    }
    checkText(request.text());
    Outcome<HistoryApi.MessageSent> outcome =
        durably(
            "message",
            null,
            () ->
                history.sendMessage(
                    conversation,
                    new HistoryApi.SendMessage(caller, request.clientMsgId(), request.text())));
    HistoryApi.MessageSent sent = outcome.body();
    Set<UserId> recipients = new LinkedHashSet<>(sent.recipients());
    if (sent.largeGroup()) {
      announce(sent.message().conversationId(), sent.message().seq(), sent.message().sentAt());
    } else {
      recipients.add(sent.message().senderId());
      fanOut(recipients, new InboxItem.MessageItem(sent.message()));
    }
    confirmations.delivered(sent.message().conversationId(), sent.message().seq());
    // One line per write; the request id (MDC) ties it to the history-service's line.
    log.info(
        "message stored and delivered: conversation={} seq={} created={} inboxes={}",
        sent.message().conversationId().value(),
        sent.message().seq(),
        outcome.created(),
        recipients.size());
    return new Outcome<>(
        new MessageAccepted(
            sent.message().conversationId(),
            sent.message().seq(),
            sent.message().senderId(),
            sent.message().sentAt(),
            sent.message().clientMsgId()),
        outcome.created());
  }

  Outcome<OperationAccepted> operate(
      UserId caller, ConversationId conversation, ApplyOperation request) {
    if (request == null || !Limits.isValidClientId(request.clientOpId())) {
      throw invalid("clientOpId must match " + Limits.CLIENT_ID_PATTERN.pattern());
    }
    if (request.type() == null) {
      throw invalid("type is required (delete_for_me, recall, edit or read)");
    }
    OperationType type = OperationType.fromWire(request.type());
    if (type == OperationType.EDIT) {
      checkText(request.text());
    }
    // Refuses missing or non-positive seqs with the model's own rules before any call.
    Operation.of(type, request.targetSeq(), request.upToSeq(), request.text());
    Outcome<HistoryApi.OperationApplied> outcome =
        durably(
            "operation",
            type.wireName(),
            () ->
                history.applyOperation(
                    conversation,
                    new HistoryApi.ApplyOperation(
                        caller,
                        request.clientOpId(),
                        type,
                        type == OperationType.READ ? null : request.targetSeq(),
                        type == OperationType.READ ? request.upToSeq() : null,
                        type == OperationType.EDIT ? request.text() : null)));
    HistoryApi.OperationApplied applied = outcome.body();
    if (applied.largeGroup()) {
      announce(applied.event().conversationId(), applied.event().seq(), applied.event().at());
    } else {
      fanOut(applied.recipients(), new InboxItem.OperationItem(applied.event()));
    }
    confirmations.delivered(applied.event().conversationId(), applied.event().seq());
    Operation op = applied.event().operation();
    log.info(
        "operation stored and delivered: conversation={} seq={} type={} created={} inboxes={}",
        applied.event().conversationId().value(),
        applied.event().seq(),
        op.type().wireName(),
        outcome.created(),
        applied.recipients().size());
    return new Outcome<>(
        new OperationAccepted(
            applied.event().conversationId(),
            applied.event().seq(),
            op.type().wireName(),
            op instanceof Operation.Read ? null : op.referencedSeq(),
            op instanceof Operation.Read ? op.referencedSeq() : null,
            op instanceof Operation.Edit edit ? edit.text() : null),
        outcome.created());
  }

  private void checkText(String text) {
    Limits.textProblem(text, messageLimits.maxTextLength())
        .ifPresent(
            problem -> {
              throw switch (problem) {
                case EMPTY -> invalid("text must not be empty");
                case MALFORMED -> invalid("text must not contain unpaired surrogates");
                case TOO_LONG ->
                    new ApiException(
                        HttpStatus.CONTENT_TOO_LARGE,
                        ProblemType.TEXT_TOO_LONG,
                        "text must be at most " + messageLimits.maxTextLength() + " characters");
              };
            });
  }

  /**
   * Calls the history-service, counting the outcome of the write (and, for an operation, of its
   * {@code operationType}).
   */
  private <T> Outcome<T> durably(String kind, String operationType, Supplier<Outcome<T>> call) {
    Outcome<T> outcome;
    Timer.Sample sample = Timer.start();
    try {
      outcome = call.get();
    } catch (ApiException e) {
      step(sample, "history");
      count(
          kind,
          operationType,
          e.status() == HttpStatus.SERVICE_UNAVAILABLE ? "unavailable" : "rejected");
      throw e;
    }
    step(sample, "history");
    count(kind, operationType, outcome.created() ? "created" : "retried");
    return outcome;
  }

  private void fanOut(Collection<UserId> recipients, InboxItem item) {
    Timer.Sample sample = Timer.start();
    try {
      inbox.deliver(recipients, item);
      step(sample, "fanout");
    } catch (DataAccessException e) {
      step(sample, "fanout");
      StoreErrors.count(meters, StoreErrors.REDIS, e);
      throw ApiException.unavailable(
          "the write is stored but could not be delivered to the inboxes yet; retry it",
          RETRY_AFTER,
          e);
    }
  }

  private void step(Timer.Sample sample, String step) {
    sample.stop(
        Timer.builder(SyncMetrics.WRITE_STEP)
            .description("steps of a client write: the history call, the inbox fan-out")
            .tag("step", step)
            .publishPercentileHistogram()
            .register(meters));
  }

  private void count(String kind, String operationType, String outcome) {
    meters.counter(SyncMetrics.SEND, "kind", kind, "outcome", outcome).increment();
    if (operationType != null) {
      meters.counter(SyncMetrics.OPERATIONS, "type", operationType, "outcome", outcome).increment();
    }
  }

  private static List<UserId> userIds(String field, List<String> values) {
    if (values == null) {
      return List.of();
    }
    Set<UserId> ids = new LinkedHashSet<>();
    for (String value : values) {
      if (!Limits.isValidId(value)) {
        throw invalid(field + " must contain user ids matching " + Limits.ID_PATTERN.pattern());
      }
      ids.add(UserId.of(value));
    }
    return List.copyOf(ids);
  }

  private static ApiException invalid(String detail) {
    return ApiException.badRequest(ProblemType.VALIDATION, detail);
  }
}
