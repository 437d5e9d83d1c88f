package io.messenger.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who may call what, for every endpoint of both services: the anonymous caller, a non-member, the
 * other member (another user), another device of the member, the member, a service token on a
 * client endpoint and a client token on an internal one. Each cell is one request with the status
 * and problem type it must get; refusals never change the stores (checked by the fuzzer).
 */
@ExtendWith(SystemUnderTest.class)
class AuthorizationMatrixIT {

  /** Who calls. */
  enum Caller {
    ANONYMOUS,
    NON_MEMBER,
    OTHER_USER,
    OTHER_DEVICE,
    MEMBER,
    SERVICE
  }

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  private static final String ALICE = "az_alice_" + RUN;
  private static final String BOB = "az_bob_" + RUN;
  private static final String CAROL = "az_carol_" + RUN;
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Map<Caller, String> TOKENS = new LinkedHashMap<>();
  private static String direct;
  private static String group;
  private static long alicesMessage;

  @BeforeAll
  static void fixtures() {
    TOKENS.put(Caller.ANONYMOUS, null);
    TOKENS.put(Caller.NON_MEMBER, Forge.client(CAROL, "phone"));
    TOKENS.put(Caller.OTHER_USER, Forge.client(BOB, "phone"));
    TOKENS.put(Caller.OTHER_DEVICE, Forge.client(ALICE, "laptop"));
    TOKENS.put(Caller.MEMBER, Forge.client(ALICE, "phone"));
    TOKENS.put(Caller.SERVICE, Forge.service());
    String alice = TOKENS.get(Caller.MEMBER);
    direct =
        created(
                sync(),
                "/v1/conversations",
                alice,
                "{\"type\":\"direct\",\"members\":[\"" + BOB + "\"]}")
            .get("conversationId")
            .asString();
    group =
        created(
                sync(),
                "/v1/conversations",
                alice,
                "{\"type\":\"group\",\"members\":[\"" + BOB + "\"]}")
            .get("conversationId")
            .asString();
    alicesMessage =
        created(
                sync(),
                "/v1/conversations/" + direct + "/messages",
                alice,
                "{\"clientMsgId\":\"az-1\",\"text\":\"mine\"}")
            .get("seq")
            .asLong();
  }

  private static tools.jackson.databind.JsonNode created(
      ServiceProcess service, String path, String token, String json) {
    Raw.Answer answer = Raw.send(service, Raw.Request.post(path, token, json));
    assertThat(answer.status()).as(answer.toString()).isBetween(200, 201);
    return answer.json();
  }

  static ServiceProcess sync() {
    return SystemUnderTest.sync1();
  }

  static ServiceProcess history() {
    return SystemUnderTest.history1();
  }

  static String id() {
    return "az-" + IDS.incrementAndGet();
  }

  /** One endpoint: how to build its request, and the expected status per caller. */
  record Row(
      String name,
      Supplier<ServiceProcess> service,
      String method,
      Supplier<String> path,
      Supplier<String> body,
      Map<Caller, Integer> expected) {}

  private static Map<Caller, Integer> expect(
      int anonymous, int nonMember, int otherUser, int otherDevice, int member, int service) {
    Map<Caller, Integer> map = new LinkedHashMap<>();
    map.put(Caller.ANONYMOUS, anonymous);
    map.put(Caller.NON_MEMBER, nonMember);
    map.put(Caller.OTHER_USER, otherUser);
    map.put(Caller.OTHER_DEVICE, otherDevice);
    map.put(Caller.MEMBER, member);
    map.put(Caller.SERVICE, service);
    return map;
  }

  static List<Row> rows() {
    return List.of(
        new Row(
            "create a group",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/v1/conversations",
            () -> "{\"type\":\"group\",\"members\":[\"" + BOB + "\"]}",
            expect(401, 201, 201, 201, 201, 401)),
        new Row(
            "change members",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/v1/conversations/" + group + "/members",
            () -> "{\"add\":[\"az_x_" + id() + "\"]}",
            expect(401, 404, 200, 200, 200, 401)),
        new Row(
            "send a message",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/v1/conversations/" + direct + "/messages",
            () -> "{\"clientMsgId\":\"" + id() + "\",\"text\":\"hi\"}",
            expect(401, 404, 201, 201, 201, 401)),
        new Row(
            "edit alice's message",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/v1/conversations/" + direct + "/operations",
            () ->
                "{\"clientOpId\":\""
                    + id()
                    + "\",\"type\":\"edit\",\"targetSeq\":"
                    + alicesMessage
                    + ",\"text\":\"edited "
                    + id()
                    + "\"}",
            expect(401, 404, 403, 201, 201, 401)),
        new Row(
            "delete alice's message for me",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/v1/conversations/" + direct + "/operations",
            () ->
                "{\"clientOpId\":\""
                    + id()
                    + "\",\"type\":\"delete_for_me\",\"targetSeq\":"
                    + alicesMessage
                    + "}",
            expect(401, 404, 201, 201, 201, 401)),
        new Row(
            "mark read",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/v1/conversations/" + direct + "/operations",
            () ->
                "{\"clientOpId\":\""
                    + id()
                    + "\",\"type\":\"read\",\"upToSeq\":"
                    + alicesMessage
                    + "}",
            expect(401, 404, 201, 201, 201, 401)),
        new Row(
            "pull the own inbox",
            AuthorizationMatrixIT::sync,
            "GET",
            () -> "/v1/sync",
            null,
            expect(401, 200, 200, 200, 200, 401)),
        new Row(
            "ack the own inbox",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/v1/sync/ack",
            () -> "{\"cursor\":\"0-0\"}",
            expect(401, 204, 204, 204, 204, 401)),
        new Row(
            "list conversations",
            AuthorizationMatrixIT::history,
            "GET",
            () -> "/v1/conversations",
            null,
            expect(401, 200, 200, 200, 200, 401)),
        new Row(
            "read a conversation",
            AuthorizationMatrixIT::history,
            "GET",
            () -> "/v1/conversations/" + direct,
            null,
            expect(401, 404, 200, 200, 200, 401)),
        new Row(
            "page messages",
            AuthorizationMatrixIT::history,
            "GET",
            () -> "/v1/conversations/" + direct + "/messages",
            null,
            expect(401, 404, 200, 200, 200, 401)),
        new Row(
            "page a group",
            AuthorizationMatrixIT::history,
            "GET",
            () -> "/v1/conversations/" + group + "/messages?limit=5",
            null,
            expect(401, 404, 200, 200, 200, 401)),
        // internal endpoints: only service tokens; every client token is refused like no token
        new Row(
            "internal: notify a user",
            AuthorizationMatrixIT::sync,
            "POST",
            () -> "/internal/v1/users/" + ALICE + "/notifications",
            () ->
                "{\"notificationId\":\"" + id() + "\",\"type\":\"friend.request\",\"payload\":{}}",
            expect(401, 401, 401, 401, 401, 201)),
        new Row(
            "internal: create a conversation",
            AuthorizationMatrixIT::history,
            "POST",
            () -> "/internal/v1/conversations",
            () ->
                "{\"type\":\"group\",\"members\":[\""
                    + BOB
                    + "\"],\"createdBy\":\""
                    + ALICE
                    + "\"}",
            expect(401, 401, 401, 401, 401, 201)),
        new Row(
            "internal: change members",
            AuthorizationMatrixIT::history,
            "POST",
            () -> "/internal/v1/conversations/" + group + "/members",
            () -> "{\"actorId\":\"" + ALICE + "\",\"add\":[\"az_y_" + id() + "\"]}",
            expect(401, 401, 401, 401, 401, 200)),
        new Row(
            "internal: store a message",
            AuthorizationMatrixIT::history,
            "POST",
            () -> "/internal/v1/conversations/" + group + "/messages",
            () ->
                "{\"senderId\":\"" + ALICE + "\",\"clientMsgId\":\"" + id() + "\",\"text\":\"x\"}",
            expect(401, 401, 401, 401, 401, 201)),
        new Row(
            "internal: apply an operation",
            AuthorizationMatrixIT::history,
            "POST",
            () -> "/internal/v1/conversations/" + group + "/operations",
            () ->
                "{\"actorId\":\""
                    + ALICE
                    + "\",\"clientOpId\":\""
                    + id()
                    + "\",\"type\":\"read\",\"upToSeq\":1}",
            expect(401, 401, 401, 401, 401, 201)));
  }

  @TestFactory
  List<DynamicTest> everyCallerOfEveryEndpointGetsTheRightAnswer() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Row row : rows()) {
      row.expected()
          .forEach(
              (caller, status) ->
                  tests.add(
                      DynamicTest.dynamicTest(
                          row.name() + " as " + caller + " -> " + status,
                          () -> check(row, caller, status))));
    }
    return tests;
  }

  private static void check(Row row, Caller caller, int status) {
    String token = TOKENS.get(caller);
    Raw.Request request =
        row.body() == null
            ? new Raw.Request(row.method(), row.path().get(), token, null, null, false, null)
            : Raw.Request.post(row.path().get(), token, row.body().get());
    Raw.Answer answer = Raw.send(row.service().get(), request);
    Raw.assertWellFormed(request, answer);
    assertThat(answer.status()).as(request + " -> " + answer).isEqualTo(status);
    String type =
        switch (status) {
          case 401 -> "urn:messenger:problem:unauthorized";
          case 403 -> "urn:messenger:problem:not-sender";
          case 404 -> "urn:messenger:problem:conversation-not-found";
          default -> null;
        };
    if (type != null) {
      assertThat(answer.problemType()).as(answer.toString()).isEqualTo(type);
    }
  }
}
