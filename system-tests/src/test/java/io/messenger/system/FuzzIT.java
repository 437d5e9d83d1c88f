package io.messenger.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeProperty;
import tools.jackson.databind.JsonNode;

/**
 * Property-based fuzzing of both services as real processes: malformed and edge-case requests
 * (broken JSON, wrong types, huge and chunked bodies, odd Unicode, negative and overflowing
 * numbers, forged cursors and ids, other users' conversations, expired, unsigned and
 * wrong-algorithm tokens). Every answer must be a 2xx or a well-formed problem detail below 500
 * ({@link Raw#assertWellFormed}); a refused request must leave the stores as they were: the Redis
 * inbox keys of every user involved after each request, and the history (conversation lists and
 * newest pages of every user involved) over each property, whose requests are all refusals.
 */
class FuzzIT {

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String ALICE = "fz_alice_" + RUN;
  static final String BOB = "fz_bob_" + RUN;
  static final String CAROL = "fz_carol_" + RUN;
  static final String DAVE = "fz_dave_" + RUN;
  static final List<String> USERS = List.of(ALICE, BOB, CAROL, DAVE);

  static String aliceToken;
  static String bobToken;
  static String carolToken;
  static String serviceToken;
  static String direct;
  static String group;
  static String carolsGroup;
  static String aliceHead;
  static long lastSeq;
  static long startCount;

  private Stores.Snapshot before;
  private static volatile boolean failed;

  @BeforeContainer
  static void fixtures() throws Exception {
    SystemUnderTest.start();
    startCount = Raw.SENT.get();
    aliceToken = Forge.client(ALICE, "phone");
    bobToken = Forge.client(BOB, "phone");
    carolToken = Forge.client(CAROL, "phone");
    serviceToken = Forge.service();
    aliceHead =
        ok(Raw.Request.get("/v1/sync", aliceToken), sync()).at("/resync/headCursor").asString();
    ok(Raw.Request.get("/v1/sync", bobToken), sync());
    ok(Raw.Request.get("/v1/sync", carolToken), sync());
    direct =
        ok(
                post(
                    "/v1/conversations",
                    aliceToken,
                    "{\"type\":\"direct\",\"members\":[\"" + BOB + "\"]}"),
                sync())
            .get("conversationId")
            .asString();
    group =
        ok(
                post(
                    "/v1/conversations",
                    aliceToken,
                    "{\"type\":\"group\",\"members\":[\"" + BOB + "\"],\"title\":\"g\"}"),
                sync())
            .get("conversationId")
            .asString();
    carolsGroup =
        ok(
                post(
                    "/v1/conversations",
                    carolToken,
                    "{\"type\":\"group\",\"members\":[\"" + DAVE + "\"]}"),
                sync())
            .get("conversationId")
            .asString();
    ok(
        post(
            "/v1/conversations/" + direct + "/messages",
            aliceToken,
            "{\"clientMsgId\":\"fz-1\",\"text\":\"one\"}"),
        sync());
    ok(
        post(
            "/v1/conversations/" + direct + "/messages",
            bobToken,
            "{\"clientMsgId\":\"fz-2\",\"text\":\"two\"}"),
        sync());
    lastSeq =
        ok(
                post(
                    "/v1/conversations/" + direct + "/messages",
                    aliceToken,
                    "{\"clientMsgId\":\"fz-3\",\"text\":\"three\"}"),
                sync())
            .get("seq")
            .asLong();
  }

  @AfterContainer
  static void total() {
    long sent = Raw.SENT.get() - startCount;
    System.out.println("[fuzz] " + sent + " requests sent by FuzzIT");
    assertThat(sent).as("fuzzed requests").isGreaterThanOrEqualTo(10_000);
  }

  static ServiceProcess sync() {
    return SystemUnderTest.sync1();
  }

  static ServiceProcess history() {
    return SystemUnderTest.history1();
  }

  static Raw.Request post(String path, String token, String json) {
    return Raw.Request.post(path, token, json);
  }

  static JsonNode ok(Raw.Request request, ServiceProcess service) {
    Raw.Answer answer = Raw.send(service, request);
    assertThat(answer.status()).as(request + " -> " + answer).isBetween(200, 299);
    return answer.json();
  }

  // ------------------------------------------------------------------ state

  @BeforeProperty
  void snapshotBefore() {
    failed = false;
    before = Stores.snapshot(USERS, historyState());
  }

  @AfterProperty
  void storesUnchanged() {
    if (failed) {
      return; // the property's own failure says what went wrong
    }
    Stores.Snapshot after = Stores.snapshot(USERS, historyState());
    assertThat(after).as("stores after only refused requests").isEqualTo(before);
  }

  /** The history as the members see it: their conversation lists and the newest pages. */
  static String historyState() {
    StringBuilder state = new StringBuilder();
    for (String token : List.of(aliceToken, bobToken, carolToken)) {
      state.append(ok(Raw.Request.get("/v1/conversations", token), history())).append('\n');
    }
    for (String cid : List.of(direct, group)) {
      state.append(
          ok(
              Raw.Request.get("/v1/conversations/" + cid + "/messages?limit=100", aliceToken),
              history()));
      state.append(
          ok(
              Raw.Request.get("/v1/conversations/" + cid + "/messages?limit=100", bobToken),
              history()));
    }
    state.append(
        ok(
            Raw.Request.get("/v1/conversations/" + carolsGroup + "/messages", carolToken),
            history()));
    return state.toString();
  }

  /** Sends a request that must be refused: a 4xx problem detail, and no inbox changed. */
  static Raw.Answer refused(ServiceProcess service, Raw.Request request) {
    Map<String, Object> redis = Stores.redisState(USERS);
    Raw.Answer answer = Raw.send(service, request);
    try {
      Raw.assertWellFormed(request, answer);
      assertThat(answer.status()).as(request + " -> " + answer).isBetween(400, 499);
      assertThat(Stores.redisState(USERS)).as("inboxes after " + request).isEqualTo(redis);
    } catch (AssertionError e) {
      failed = true;
      System.err.println("[fuzz] FAILED: " + e.getMessage());
      throw e;
    }
    return answer;
  }

  // ------------------------------------------------------------------ properties

  @Property(tries = 2000, shrinking = ShrinkingMode.OFF)
  void forgedTokensAreRefusedEverywhere(
      @ForAll("forgedTokens") String token, @ForAll("endpoints") Endpoint endpoint) {
    // On /internal, a valid client token is one more forgery (and a service token is valid).
    String sent =
        endpoint.path().startsWith("/internal/") && Forge.isService(token) ? aliceToken : token;
    Raw.Request request = endpoint.request(sent);
    Raw.Answer answer = refused(endpoint.service(), request);
    assertThat(answer.status()).as(request + " -> " + answer).isEqualTo(401);
  }

  /** Found by the fuzzer: Tomcat's form parsing failed on broken percent-encoding (was a 500). */
  @Example
  void aFormBodyWithBrokenPercentEncodingIsRefused() {
    Raw.Request request =
        new Raw.Request(
            "POST",
            "/v1/conversations/c_00000000000000000000000000000000/messages",
            aliceToken,
            "application/x-www-form-urlencoded",
            "{\"notificationId\":\"%\",\"type\":\"friend.request\",\"payload\":{}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            true,
            null);
    assertThat(refused(sync(), request).status()).isEqualTo(400);
  }

  @Property(tries = 3000, shrinking = ShrinkingMode.OFF)
  void malformedWritesAreRefused(
      @ForAll("writePaths") String path, @ForAll("badBodies") Raw.Request body) {
    Raw.Request request =
        new Raw.Request(
            "POST", path, aliceToken, body.contentType(), body.body(), body.chunked(), null);
    refused(sync(), request);
  }

  @Property(tries = 2000, shrinking = ShrinkingMode.OFF)
  void forgedReadsAreRefused(@ForAll("badReads") Raw.Request request) {
    ServiceProcess service = request.path().startsWith("/v1/sync") ? sync() : history();
    refused(service, request);
  }

  @Property(tries = 1000, shrinking = ShrinkingMode.OFF)
  void malformedInternalCallsAreRefused(
      @ForAll("internalPaths") Endpoint endpoint, @ForAll("badBodies") Raw.Request body) {
    Raw.Request request =
        new Raw.Request(
            "POST",
            endpoint.path(),
            serviceToken,
            body.contentType(),
            body.body(),
            body.chunked(),
            null);
    refused(endpoint.service(), request);
  }

  @Property(tries = 300, shrinking = ShrinkingMode.OFF)
  void hugeBodiesAreRefusedWithA413(
      @ForAll("writePaths") String path,
      @ForAll("hugeSizes") int size,
      @ForAll boolean chunked,
      @ForAll boolean validJson) {
    String text = "x".repeat(size);
    String json =
        validJson
            ? "{\"clientMsgId\":\"huge\",\"text\":\"" + text + "\",\"cursor\":\"" + text + "\"}"
            : "[\"" + text;
    Raw.Request request = Raw.Request.post(path, aliceToken, json);
    request = chunked ? request.asChunked() : request;
    Raw.Answer answer = refused(sync(), request);
    // Declared too large: refused unread. Chunked: 413 once reading passes the limit, unless the
    // JSON reader already refused the body's shape at its first tokens (nothing more is read then).
    boolean earlyShapeRefusal =
        chunked
            && !validJson
            && "urn:messenger:problem:malformed-body".equals(answer.problemType());
    if (!earlyShapeRefusal) {
      assertThat(answer.status()).as(request + " -> " + answer).isEqualTo(413);
    }
  }

  /**
   * Edge-case Unicode in message texts: accepted ones must page back exactly as sent; refused ones
   * must change nothing.
   */
  @Property(tries = 1700, shrinking = ShrinkingMode.OFF)
  void oddUnicodeTextsRoundTripOrAreRefused(@ForAll("oddTexts") String text, @ForAll boolean edit) {
    String id = "u-" + UUID.randomUUID();
    String json =
        edit
            ? "{\"clientOpId\":\""
                + id
                + "\",\"type\":\"edit\",\"targetSeq\":"
                + lastSeq
                + ",\"text\":"
                + Stores.jsonString(text)
                + "}"
            : "{\"clientMsgId\":\"" + id + "\",\"text\":" + Stores.jsonString(text) + "}";
    Raw.Request request =
        Raw.Request.post(
            "/v1/conversations/" + group + (edit ? "/operations" : "/messages"), aliceToken, json);
    Map<String, Object> redis = Stores.redisState(USERS);
    Raw.Answer answer = Raw.send(sync(), request);
    failed = true; // until this try passed
    Raw.assertWellFormed(request, answer);
    if (answer.status() >= 400) {
      assertThat(Stores.redisState(USERS)).as("inboxes after " + request).isEqualTo(redis);
      failed = false;
      return;
    }
    long seq = edit ? lastSeq : answer.json().get("seq").asLong();
    if (!edit) {
      JsonNode page =
          ok(
              Raw.Request.get(
                  "/v1/conversations/" + group + "/messages?after=" + (seq - 1) + "&limit=1",
                  bobToken),
              history());
      assertThat(page.at("/messages/0/text").asString())
          .as("the stored text of " + request)
          .isEqualTo(text);
    }
    // Accepted writes legitimately change the history: start the comparison from here.
    snapshotBefore();
  }

  // ------------------------------------------------------------------ generators

  /** One endpoint of either service, able to build a request with a given token. */
  record Endpoint(ServiceProcess service, String method, String path, String body) {
    Raw.Request request(String token) {
      return body == null
          ? new Raw.Request(method, path, token, null, null, false, null)
          : Raw.Request.post(path, token, body);
    }
  }

  @Provide
  Arbitrary<Endpoint> endpoints() {
    String msg = "{\"clientMsgId\":\"t-1\",\"text\":\"hi\"}";
    return Arbitraries.of(
        new Endpoint(
            sync(),
            "POST",
            "/v1/conversations",
            "{\"type\":\"group\",\"members\":[\"" + BOB + "\"]}"),
        new Endpoint(
            sync(),
            "POST",
            "/v1/conversations/" + group + "/members",
            "{\"add\":[\"" + CAROL + "\"]}"),
        new Endpoint(sync(), "POST", "/v1/conversations/" + direct + "/messages", msg),
        new Endpoint(
            sync(),
            "POST",
            "/v1/conversations/" + direct + "/operations",
            "{\"clientOpId\":\"t-2\",\"type\":\"read\",\"upToSeq\":1}"),
        new Endpoint(sync(), "GET", "/v1/sync", null),
        new Endpoint(sync(), "GET", "/v1/sync?cursor=" + aliceHead + "&waitMs=0", null),
        new Endpoint(sync(), "POST", "/v1/sync/ack", "{\"cursor\":\"" + aliceHead + "\"}"),
        new Endpoint(history(), "GET", "/v1/conversations", null),
        new Endpoint(history(), "GET", "/v1/conversations/" + direct, null),
        new Endpoint(history(), "GET", "/v1/conversations/" + direct + "/messages", null),
        new Endpoint(
            sync(),
            "POST",
            "/internal/v1/users/" + ALICE + "/notifications",
            "{\"notificationId\":\"t-3\",\"type\":\"friend.request\",\"payload\":{}}"),
        new Endpoint(
            history(),
            "POST",
            "/internal/v1/conversations/" + direct + "/messages",
            "{\"senderId\":\"" + ALICE + "\",\"clientMsgId\":\"t-4\",\"text\":\"x\"}"));
  }

  @Provide
  Arbitrary<Endpoint> internalPaths() {
    return Arbitraries.of(
        new Endpoint(sync(), "POST", "/internal/v1/users/" + ALICE + "/notifications", null),
        new Endpoint(history(), "POST", "/internal/v1/conversations", null),
        new Endpoint(history(), "POST", "/internal/v1/conversations/" + direct + "/members", null),
        new Endpoint(history(), "POST", "/internal/v1/conversations/" + group + "/members", null),
        new Endpoint(history(), "POST", "/internal/v1/conversations/" + direct + "/messages", null),
        new Endpoint(
            history(), "POST", "/internal/v1/conversations/" + direct + "/operations", null));
  }

  @Provide
  Arbitrary<String> forgedTokens() {
    List<String> bad = new ArrayList<>(Forge.bad(ALICE, "phone"));
    Arbitrary<String> garbage =
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(0).ofMaxLength(300);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.of(bad)),
        net.jqwik.api.Tuple.of(1, garbage),
        net.jqwik.api.Tuple.of(1, garbage.map(g -> "eyJhbGciOiJub25lIn0." + g + ".")));
  }

  @Provide
  Arbitrary<String> writePaths() {
    return Arbitraries.of(
        "/v1/conversations",
        "/v1/conversations/" + group + "/members",
        "/v1/conversations/" + direct + "/members",
        "/v1/conversations/" + direct + "/messages",
        "/v1/conversations/" + group + "/messages",
        "/v1/conversations/" + direct + "/operations",
        "/v1/sync/ack",
        // other users' and unknown conversations: must be refused whatever the body
        "/v1/conversations/" + carolsGroup + "/messages",
        "/v1/conversations/" + carolsGroup + "/operations",
        "/v1/conversations/" + carolsGroup + "/members",
        "/v1/conversations/c_" + "0".repeat(32) + "/messages");
  }

  /** Bodies no write endpoint may accept (for whichever endpoint they are sent to). */
  @Provide
  Arbitrary<Raw.Request> badBodies() {
    Arbitrary<String> json =
        Arbitraries.oneOf(
            brokenJson(), wrongTypes(), badValues(), Arbitraries.strings().ofMaxLength(200));
    Arbitrary<String> contentType =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(12, Arbitraries.just("application/json")),
            net.jqwik.api.Tuple.of(
                1,
                Arbitraries.of(
                    "text/plain",
                    "application/xml",
                    "application/x-www-form-urlencoded",
                    "application/json; charset=UTF-16",
                    "multipart/form-data; boundary=x",
                    "*/*",
                    "garbage")));
    return Combinators.combine(json, contentType, Arbitraries.of(false, false, false, true))
        .as(
            (body, type, chunked) ->
                new Raw.Request(
                    "POST", "/", null, type, body.getBytes(StandardCharsets.UTF_8), chunked, null));
  }

  private Arbitrary<String> brokenJson() {
    String valid =
        "{\"clientMsgId\":\"b-1\",\"text\":\"hello\",\"type\":\"group\",\"members\":[\""
            + BOB
            + "\"],\"cursor\":\""
            + aliceHead
            + "\"}";
    return Arbitraries.oneOf(
        Arbitraries.integers().between(0, valid.length() - 1).map(n -> valid.substring(0, n)),
        Arbitraries.of(
            "",
            "{",
            "}",
            "[",
            "null",
            "true",
            "0",
            "\"text\"",
            "{\"a\":}",
            "{,}",
            "{\"text\":\"x\",}",
            "{'text':'x'}",
            "{\"text\":\"\\u12\"}",
            "{\"text\":\"\\x41\"}",
            "\u0000",
            "{\"text\":\"a\"}}",
            "{\"text\" \"a\"}",
            "NaN",
            "{\"text\":NaN}",
            "{\"text\":undefined}",
            "[".repeat(5000),
            "{\"a\":".repeat(3000)),
        Arbitraries.strings().withChars("{}[]\":,\\ntu0e").ofMaxLength(60));
  }

  private Arbitrary<String> wrongTypes() {
    return Arbitraries.of(
        "{\"clientMsgId\":1,\"text\":\"x\"}",
        "{\"clientMsgId\":\"w-1\",\"text\":42}",
        "{\"clientMsgId\":\"w-1\",\"text\":[\"x\"]}",
        "{\"clientMsgId\":\"w-1\",\"text\":{\"a\":1}}",
        "{\"clientMsgId\":[\"w\"],\"text\":\"x\"}",
        "{\"clientMsgId\":null,\"text\":null}",
        "{\"type\":\"group\",\"members\":\"" + BOB + "\"}",
        "{\"type\":\"group\",\"members\":[1,2]}",
        "{\"type\":\"group\",\"members\":[[\"" + BOB + "\"]]}",
        "{\"type\":\"group\",\"members\":[null]}",
        "{\"type\":1,\"members\":[\"" + BOB + "\"]}",
        "{\"type\":\"channel\",\"members\":[\"" + BOB + "\"]}",
        "{\"type\":\"direct\",\"members\":[]}",
        "{\"type\":\"direct\",\"members\":[\"" + BOB + "\",\"" + CAROL + "\"]}",
        "{\"add\":\"" + CAROL + "\"}",
        "{\"add\":[],\"remove\":[]}",
        "{\"remove\":{}}",
        "{\"clientOpId\":\"w-2\",\"type\":\"recall\",\"targetSeq\":\"1\"}",
        "{\"clientOpId\":\"w-2\",\"type\":\"recall\",\"targetSeq\":true}",
        "{\"clientOpId\":\"w-2\",\"type\":\"read\",\"upToSeq\":[1]}",
        "{\"clientOpId\":\"w-2\",\"type\":\"explode\",\"targetSeq\":1}",
        "{\"clientOpId\":\"w-2\",\"type\":null,\"targetSeq\":1}",
        "{\"cursor\":123}",
        "{\"cursor\":null}",
        "{\"cursor\":[\"" + aliceHead + "\"]}",
        "[]",
        "[{\"clientMsgId\":\"w-1\",\"text\":\"x\"}]",
        "\"just a string\"",
        "{}");
  }

  /** Well-typed JSON with values every endpoint must refuse. */
  private Arbitrary<String> badValues() {
    Arbitrary<String> badNumber =
        Arbitraries.oneOf(
            Arbitraries.longs().between(Long.MIN_VALUE, 0).map(Object::toString),
            Arbitraries.of(
                "9223372036854775808",
                "-9223372036854775809",
                "1e400",
                "-1e400",
                "1.5",
                "-0",
                "0.0",
                "1E2",
                "99999999999999999999999999999",
                "0x10",
                "+1",
                "0001"),
            Arbitraries.longs().between(1_000_000, Long.MAX_VALUE).map(Object::toString));
    Arbitrary<String> badId = oddIds();
    Arbitrary<String> badCursor = forgedCursors();
    return Arbitraries.oneOf(
        badNumber.map(n -> "{\"clientOpId\":\"v-1\",\"type\":\"recall\",\"targetSeq\":" + n + "}"),
        badNumber.map(
            n ->
                "{\"clientOpId\":\"v-1\",\"type\":\"edit\",\"targetSeq\":"
                    + n
                    + ",\"text\":\"e\"}"),
        badNumber.map(n -> "{\"clientOpId\":\"v-1\",\"type\":\"read\",\"upToSeq\":" + n + "}"),
        badNumber.map(
            n -> "{\"clientOpId\":\"v-1\",\"type\":\"delete_for_me\",\"targetSeq\":" + n + "}"),
        badId.map(id -> "{\"clientMsgId\":" + Stores.jsonString(id) + ",\"text\":\"x\"}"),
        badId.map(
            id -> "{\"clientOpId\":" + Stores.jsonString(id) + ",\"type\":\"read\",\"upToSeq\":1}"),
        badId.map(id -> "{\"type\":\"group\",\"members\":[" + Stores.jsonString(id) + "]}"),
        badId.map(id -> "{\"type\":\"direct\",\"members\":[" + Stores.jsonString(id) + "]}"),
        badId.map(id -> "{\"add\":[" + Stores.jsonString(id) + "]}"),
        badId.map(
            id ->
                "{\"notificationId\":"
                    + Stores.jsonString(id)
                    + ",\"type\":\"friend.request\",\"payload\":{}}"),
        badCursor.map(c -> "{\"cursor\":" + Stores.jsonString(c) + "}"),
        Arbitraries.of(
            "{\"clientMsgId\":\"v-2\",\"text\":\"\"}",
            "{\"clientMsgId\":\"v-2\",\"text\":\"   \"}",
            "{\"clientMsgId\":\"v-2\",\"text\":\"" + "y".repeat(4097) + "\"}",
            "{\"clientOpId\":\"v-3\",\"type\":\"edit\",\"targetSeq\":1,\"text\":\"\"}",
            "{\"clientOpId\":\"v-3\",\"type\":\"edit\",\"targetSeq\":1}",
            "{\"clientOpId\":\"v-3\",\"type\":\"recall\"}",
            "{\"clientOpId\":\"v-3\",\"type\":\"read\"}",
            "{\"type\":\"group\",\"members\":[\""
                + BOB
                + "\"],\"title\":\""
                + "t".repeat(257)
                + "\"}",
            "{\"notificationId\":\"n-1\",\"type\":\"conversation.created\",\"payload\":{}}",
            "{\"notificationId\":\"n-1\",\"type\":\"Bad Type\",\"payload\":{}}",
            "{\"notificationId\":\"n-1\",\"type\":\"" + "a".repeat(65) + "\",\"payload\":{}}",
            "{\"senderId\":\"" + ALICE + "\",\"clientMsgId\":\"v-4\",\"text\":\"\"}",
            "{\"actorId\":\""
                + ALICE
                + "\",\"clientOpId\":\"v-5\",\"type\":\"recall\",\"targetSeq\":-1}",
            // Bad on every path: on the client's member path the unknown actorId alone would be
            // ignored (forward compatibility) and a valid member added, so the member is bad too.
            "{\"actorId\":\"bad id\",\"add\":[\"bad id\"]}",
            "{\"type\":\"direct\",\"members\":[],\"createdBy\":\"bad/id\"}"));
  }

  @Provide
  Arbitrary<Raw.Request> badReads() {
    Arbitrary<String> cursor = forgedCursors().map(FuzzIT::q);
    Arbitrary<String> number =
        Arbitraries.oneOf(
            Arbitraries.of(
                "-1",
                "0",
                "501",
                "30001",
                "9223372036854775808",
                "1e3",
                "1.0",
                "",
                " 5",
                "5 ",
                "0x10",
                "+5",
                "٣",
                "5\u0000",
                "NaN",
                "null",
                "１",
                "05",
                "-0"),
            Arbitraries.integers().between(-1_000_000, 0).map(Object::toString),
            Arbitraries.integers().between(501, Integer.MAX_VALUE).map(Object::toString));
    Arbitrary<String> badLimit = number.filter(n -> !inRange(n, 1, 500));
    Arbitrary<String> badWait = number.filter(n -> !inRange(n, 0, 30_000));
    Arbitrary<String> seq =
        Arbitraries.oneOf(
            Arbitraries.of(
                "-1",
                "1.5",
                "9223372036854775808",
                "99999999999999999999",
                "1e3",
                "",
                "abc",
                "0x1",
                "+1",
                "01",
                "١"),
            Arbitraries.longs().lessOrEqual(-1).map(Object::toString));
    Arbitrary<String> cid =
        Arbitraries.oneOf(
            oddIds().map(FuzzIT::q),
            Arbitraries.of(
                carolsGroup, "c_" + "f".repeat(32), "x".repeat(65), "%2e%2e", "..", "%252F"));
    return Arbitraries.oneOf(
        cursor.map(c -> Raw.Request.get("/v1/sync?cursor=" + c, aliceToken)),
        badLimit.map(
            n -> Raw.Request.get("/v1/sync?cursor=" + aliceHead + "&limit=" + q(n), aliceToken)),
        badWait.map(
            n -> Raw.Request.get("/v1/sync?cursor=" + aliceHead + "&waitMs=" + q(n), aliceToken)),
        seq.map(
            s ->
                Raw.Request.get(
                    "/v1/conversations/" + direct + "/messages?before=" + q(s), aliceToken)),
        seq.map(
            s ->
                Raw.Request.get(
                    "/v1/conversations/" + direct + "/messages?after=" + q(s), bobToken)),
        seq.map(
            s ->
                Raw.Request.get(
                    "/v1/conversations/" + direct + "/messages?around=" + q(s), aliceToken)),
        number
            .filter(n -> !inRange(n, 1, 100))
            .map(
                n ->
                    Raw.Request.get(
                        "/v1/conversations/" + direct + "/messages?limit=" + q(n), aliceToken)),
        Arbitraries.of("before=1&after=2", "after=1&around=2", "before=1&around=1&after=1")
            .map(
                p -> Raw.Request.get("/v1/conversations/" + direct + "/messages?" + p, aliceToken)),
        cid.map(c -> Raw.Request.get("/v1/conversations/" + c, aliceToken)),
        cid.map(c -> Raw.Request.get("/v1/conversations/" + c + "/messages", bobToken)),
        cid.map(
            c ->
                Raw.Request.post(
                    "/v1/conversations/" + c + "/messages",
                    aliceToken,
                    "{\"clientMsgId\":\"r-1\",\"text\":\"x\"}")),
        // other users' conversations and inboxes: carol is not a member
        Arbitraries.of(direct, group)
            .map(c -> Raw.Request.get("/v1/conversations/" + c + "/messages", carolToken)),
        Arbitraries.of(direct, group)
            .map(
                c ->
                    Raw.Request.post(
                        "/v1/conversations/" + c + "/operations",
                        carolToken,
                        "{\"clientOpId\":\"r-2\",\"type\":\"read\",\"upToSeq\":1}")),
        Arbitraries.of(
                "/v1/sync/" + ALICE,
                "/v1/users/" + ALICE + "/sync",
                "/v1/nothing",
                "/v1/conversations/" + direct + "/messages/1")
            .map(p -> Raw.Request.get(p, carolToken)),
        Arbitraries.of("PUT", "DELETE", "PATCH")
            .map(
                m ->
                    new Raw.Request(
                        m,
                        "/v1/conversations/" + direct + "/messages",
                        aliceToken,
                        "application/json",
                        "{}".getBytes(StandardCharsets.UTF_8),
                        false,
                        null)));
  }

  @Provide
  Arbitrary<Integer> hugeSizes() {
    return Arbitraries.oneOf(
        Arbitraries.just(65_536), Arbitraries.integers().between(65_537, 400_000));
  }

  @Provide
  Arbitrary<String> oddTexts() {
    Arbitrary<Character> odd =
        Arbitraries.of(
            '\u0000', '\u0001', '\u001f', '\u007f', '\u200b', '\u200c', '\u200d', '\u200e',
            '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\ufeff', '\ufffd', '\uffff',
            '\ud800', '\udbff', '\udc00', '\udfff', '\u0627', '\u05d0', '\u0301', '\u00e9', 'a',
            ' ', '\n', '\t', '"', '\\', '<', '&');
    Arbitrary<String> emoji =
        Arbitraries.of("👋", "👩‍👩‍👧", "🇩🇪", "\ud83d\ude00", "𝕏", "ñ", "مرحبا", "שלום");
    return Arbitraries.oneOf(
        odd.list().ofMinSize(1).ofMaxSize(40).map(FuzzIT::join),
        Combinators.combine(odd.list().ofMaxSize(10), emoji).as((l, e) -> join(l) + e + join(l)),
        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(50),
        Arbitraries.strings().all().ofMinLength(4090).ofMaxLength(4100));
  }

  private static String join(List<Character> chars) {
    StringBuilder s = new StringBuilder();
    chars.forEach(s::append);
    return s.toString();
  }

  private Arbitrary<String> oddIds() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "",
            " ",
            "a b",
            "a/b",
            "a\u0000b",
            "\u200b",
            "a\u202eb",
            "é",
            "\ud800",
            "x".repeat(65),
            "../x",
            "%",
            "a%00",
            "\n",
            "a;b",
            "a\\b"),
        Arbitraries.strings()
            .all()
            .ofMinLength(1)
            .ofMaxLength(80)
            .filter(s -> !s.matches("[A-Za-z0-9_.:-]{1,64}")));
  }

  private Arbitrary<String> forgedCursors() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "",
            "-",
            "0",
            "1-",
            "-1",
            "-1-0",
            "0--1",
            "01-0",
            "0-01",
            "1-1-1",
            "18446744073709551616-0",
            "9223372036854775808-0",
            "0-9223372036854775808",
            "99999999999999999999-0",
            "1.0-0",
            "1e3-0",
            " 1-0",
            "1-0 ",
            "1_0",
            "$",
            "+",
            "*",
            "(1-0",
            "1-0\u0000",
            "١-٠",
            "0x1-0"),
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .ofMaxLength(40)
            .filter(s -> !s.matches("(0|[1-9][0-9]{0,18})-(0|[1-9][0-9]{0,18})")));
  }

  /** Whether {@code n} is a canonical decimal (ASCII digits, no sign, no leading zero) in range. */
  static boolean inRange(String n, int min, int max) {
    return n.matches("0|[1-9][0-9]{0,8}")
        && Integer.parseInt(n) >= min
        && Integer.parseInt(n) <= max;
  }

  /** Percent-encodes a query value or path segment (so that any character reaches the server). */
  static String q(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
