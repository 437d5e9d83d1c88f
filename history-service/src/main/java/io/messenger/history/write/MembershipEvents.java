package io.messenger.history.write;

import io.messenger.history.cassandra.Async;
import io.messenger.history.conversation.Conversation;
import io.messenger.history.conversation.MembershipLog;
import io.messenger.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Membership changes logged like client writes: the change id is the client id (in a form no client
 * can use), so the change's own writer and a later change that rolls it forward log it once between
 * them, whichever comes first, across log partitions too ({@code client_requests}).
 */
@Service
class MembershipEvents implements MembershipLog {

  static final String KIND = "members";

  private final EventLog log;
  private final ClientRequests requests;
  private final Projections projections;
  private final DeliveryMarks marks;

  MembershipEvents(
      EventLog log, ClientRequests requests, Projections projections, DeliveryMarks marks) {
    this.log = log;
    this.requests = requests;
    this.projections = projections;
    this.marks = marks;
  }

  @Override
  public long logged(
      Conversation conversation, UserId actor, String changeId, Instant at, boolean large) {
    String clientId = MembershipLog.clientIdOf(changeId);
    EventLog.Head hint = new EventLog.Head(conversation.lastSeq(), conversation.messageCount());
    Optional<ClientRequests.Request> known = requests.find(conversation.id(), actor, clientId);
    LoggedEvent event;
    if (known.isPresent() && known.get().completed()) {
      long seq = known.get().seq();
      event =
          log.find(conversation.id(), seq)
              .orElseThrow(() -> new IllegalStateException("logged change missing: seq " + seq));
    } else {
      // The relay's mark first, as for every write: the relay then finds the change in the log
      // and re-drives its notices should the change's own fan-out not happen.
      Async.await(marks.markAsync(conversation.id()));
      EventLog.Appended appended =
          log.append(
              conversation.id(),
              new EventLog.Write(
                  LoggedEvent.Draft.members(actor, clientId, at, large), KIND, changeId),
              hint);
      event =
          appended instanceof EventLog.Appended.Created created
              ? created.event()
              : log.find(conversation.id(), ((EventLog.Appended.Duplicate) appended).seq())
                  .orElseThrow(() -> new IllegalStateException("logged change missing"));
    }
    // The client id's record and the projection, sent together.
    Async.await(
        projections.applyAsync(
            event,
            EventIndex.Known.NOTHING,
            List.of(
                requests.complete(
                    conversation.id(), actor, clientId, KIND, changeId, event.at(), event.seq()))));
    return event.seq();
  }
}
