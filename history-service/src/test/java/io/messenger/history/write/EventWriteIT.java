package io.messenger.history.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.messenger.history.support.Api;
import io.messenger.history.support.HistoryIT;
import io.messenger.history.support.Writes;
import io.messenger.model.ConversationId;
import io.messenger.model.UserId;
import io.messenger.support.security.Tokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

@HistoryIT
class EventWriteIT {

  @LocalServerPort int port;
  @Autowired Tokens tokens;
  @Autowired EventService events;
  @Autowired EventLog log;

  Api api;
  Writes writes;
  String alice;
  String bob;

  @BeforeEach
  void setUp() {
    api = new Api(port, tokens);
    writes = new Writes(api);
    alice = Api.uniqueUser("alice");
    bob = Api.uniqueUser("bob");
  }

  String group(String... members) {
    return writes.group(members);
  }

  Api.Answer send(String cid, String sender, String clientMsgId, String text) {
    return writes.send(cid, sender, clientMsgId, text);
  }

  Api.Answer operate(String cid, String actor, String clientOpId, Map<String, Object> fields) {
    return writes.operate(cid, actor, clientOpId, fields);
  }

  @Test
  void messagesGetDenseSeqsAndRetriesReturnTheOriginal() {
    String cid = group(alice, bob);
    assertThat(send(cid, alice, "m1", "hello").body().at("/message/seq").asLong()).isEqualTo(1);
    Api.Answer second = send(cid, bob, "m1", "hi alice");
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.body().at("/message/seq").asLong()).isEqualTo(2);
    assertThat(second.body().get("recipients").size()).isEqualTo(2);

    Api.Answer retry = send(cid, bob, "m1", "hi alice");
    assertThat(retry.status()).isEqualTo(200);
    assertThat(retry.body().get("message")).isEqualTo(second.body().get("message"));

    Api.Answer conflict = send(cid, bob, "m1", "other text");
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.body().get("type").asString())
        .isEqualTo("urn:messenger:problem:idempotency-conflict");

    assertThat(send(cid, alice, "m2", "third").body().at("/message/seq").asLong()).isEqualTo(3);
  }

  @Test
  void onlyMembersWriteAndBadInputIsRefusedWithoutAnyEffect() {
    String cid = group(alice, bob);
    String mallory = Api.uniqueUser("mallory");
    assertThat(send(cid, mallory, "x", "hi").status()).isEqualTo(404);
    assertThat(send("c_doesnotexist", alice, "x", "hi").status()).isEqualTo(404);
    assertThat(send(cid, alice, "x", "").status()).isEqualTo(400);
    Api.Answer tooLong = send(cid, alice, "x", "a".repeat(4097));
    assertThat(tooLong.status()).isEqualTo(413);
    assertThat(tooLong.body().get("type").asString()).endsWith(":text-too-long");
    // None of the refused requests reserved the client id or took a seq.
    assertThat(send(cid, alice, "x", "finally").body().at("/message/seq").asLong()).isEqualTo(1);
  }

  @Test
  void clientTokensCannotCallTheInternalApi() {
    Api.Answer answer =
        api.post(
            "/internal/v1/conversations",
            api.clientToken(alice, "phone"),
            Map.of("type", "group", "members", List.of(alice), "createdBy", alice));
    assertThat(answer.status()).isEqualTo(401);
    assertThat(answer.body().get("type").asString()).endsWith(":unauthorized");
  }

  @Test
  void operationsTakeSeqsAndFollowTheRules() {
    String cid = group(alice, bob);
    send(cid, alice, "m1", "hello");
    send(cid, bob, "m2", "hi");

    Api.Answer notSender = operate(cid, bob, "o1", Map.of("type", "recall", "targetSeq", 1));
    assertThat(notSender.status()).isEqualTo(403);
    assertThat(notSender.body().get("type").asString()).endsWith(":not-sender");

    Api.Answer edit =
        operate(cid, alice, "o2", Map.of("type", "edit", "targetSeq", 1, "text", "hello!"));
    assertThat(edit.status()).isEqualTo(201);
    assertThat(edit.body().at("/event/seq").asLong()).isEqualTo(3);
    assertThat(edit.body().at("/event/operation/type").asString()).isEqualTo("edit");
    assertThat(edit.body().get("recipients").size()).isEqualTo(2);

    Api.Answer recall = operate(cid, alice, "o3", Map.of("type", "recall", "targetSeq", 1));
    assertThat(recall.body().at("/event/seq").asLong()).isEqualTo(4);
    Api.Answer editRecalled =
        operate(cid, alice, "o4", Map.of("type", "edit", "targetSeq", 1, "text", "again"));
    assertThat(editRecalled.status()).isEqualTo(409);

    Api.Answer hide = operate(cid, bob, "o5", Map.of("type", "delete_for_me", "targetSeq", 2));
    assertThat(hide.status()).isEqualTo(201);
    assertThat(hide.body().get("recipients").size()).isEqualTo(1);

    Api.Answer notAMessage =
        operate(cid, bob, "o6", Map.of("type", "delete_for_me", "targetSeq", 3));
    assertThat(notAMessage.status()).isEqualTo(400);
    assertThat(notAMessage.body().get("type").asString()).endsWith(":invalid-target");

    assertThat(operate(cid, bob, "o7", Map.of("type", "read", "upToSeq", 99)).status())
        .isEqualTo(400);
    Api.Answer read = operate(cid, bob, "o8", Map.of("type", "read", "upToSeq", 5));
    assertThat(read.status()).isEqualTo(201);
    assertThat(read.body().at("/event/seq").asLong()).isEqualTo(6);
    assertThat(operate(cid, bob, "o8", Map.of("type", "read", "upToSeq", 5)).status())
        .isEqualTo(200);
  }

  @Test
  void concurrentWritersGetDenseUniqueSeqs() throws Exception {
    String cid = group(alice, bob);
    ConcurrentLinkedQueue<Long> seqs = new ConcurrentLinkedQueue<>();
    int writers = 8;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> done = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < each; i++) {
                  seqs.add(
                      events
                          .sendMessage(
                              ConversationId.of(cid),
                              UserId.of(writer % 2 == 0 ? alice : bob),
                              "w" + writer + "-" + i,
                              "message " + i)
                          .event()
                          .seq());
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
    assertThat(seqs).hasSize(writers * each).doesNotHaveDuplicates();
    assertThat(seqs.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isEqualTo(writers * each);
  }

  @Test
  void theLogRollsOverIntoTheNextBucketWithoutAHole() {
    String cid = group(alice, bob);
    ConversationId id = ConversationId.of(cid);
    EventLog.Head head = EventLog.Head.EMPTY;
    long total = EventLog.BUCKET_SIZE + 3;
    for (long i = 1; i <= total; i++) {
      LoggedEvent e =
          log.append(
              id,
              LoggedEvent.Draft.message(UserId.of(alice), "b" + i, java.time.Instant.now(), "x"),
              head);
      assertThat(e.seq()).isEqualTo(i);
      head = new EventLog.Head(e.seq(), e.msgNo() + 1);
    }
    // A stale hint from the first bucket still finds the real head.
    assertThat(log.head(id, new EventLog.Head(5, 5)).seq()).isEqualTo(total);
    assertThat(log.find(id, EventLog.BUCKET_SIZE + 1))
        .get()
        .extracting(LoggedEvent::msgNo)
        .isEqualTo(EventLog.BUCKET_SIZE);
  }
}
