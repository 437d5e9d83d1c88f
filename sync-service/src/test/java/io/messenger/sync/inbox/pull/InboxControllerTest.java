package io.messenger.sync.inbox.pull;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.messenger.model.ConversationId;
import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;
import io.messenger.support.problem.ProblemAdvice;
import io.messenger.support.security.Caller;
import io.messenger.sync.StoreFailureAdvice;
import io.messenger.sync.SyncExecutors;
import io.messenger.sync.SyncProperties;
import io.messenger.sync.inbox.EntryJson;
import io.messenger.sync.inbox.InMemoryInboxStore;
import io.messenger.sync.inbox.InboxNews;
import io.messenger.sync.inbox.InboxStore;
import io.messenger.sync.inbox.Items;
import io.messenger.sync.inbox.LargeGroupState;
import io.messenger.sync.inbox.PendingAcks;
import io.messenger.sync.inbox.PullResult;
import io.messenger.sync.inbox.longpoll.LongPollRegistry;
import io.messenger.sync.largegroup.LargeGroupStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.MethodParameter;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.DefaultMessage;
import org.springframework.data.redis.connection.Message;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class InboxControllerTest {

  private static final UserId ALICE = UserId.of("alice");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final InMemoryInboxStore store = new InMemoryInboxStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final LongPollRegistry longPolls =
      new LongPollRegistry(new SyncProperties(1, null), meters, new SyncExecutors(meters));
  private final MockMvc mvc = mvc(store, longPolls);

  /** {@code GET /v1/sync} over {@code store}, parking in {@code registry}, as alice on d1. */
  private MockMvc mvc(InboxStore inboxes, LongPollRegistry registry) {
    return mvc(inboxes, registry, new io.messenger.sync.largegroup.NoLargeGroups());
  }

  private MockMvc mvc(InboxStore inboxes, LongPollRegistry registry, LargeGroupStore groups) {
    return MockMvcBuilders.standaloneSetup(
            new InboxController(
                new PullService(inboxes, groups, PendingAcks.NONE, registry, meters),
                new PullExchanges(
                    JSON,
                    new StoreFailureAdvice(meters),
                    new ProblemAdvice(),
                    new SyncExecutors(meters))))
        .setControllerAdvice(new ProblemAdvice())
        .setCustomArgumentResolvers(new TestCaller())
        .build();
  }

  /** Resolves the caller as alice on device d1, as the JWT filter would. */
  static final class TestCaller implements HandlerMethodArgumentResolver {
    @Override
    public boolean supportsParameter(MethodParameter parameter) {
      return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Object resolveArgument(
        MethodParameter parameter,
        ModelAndViewContainer container,
        NativeWebRequest request,
        WebDataBinderFactory binders) {
      return new Caller(ALICE, DeviceId.of("d1"));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "abc", "1-", "-1", "01-0", "1-2-3", "1.5-0", "99999999999999999999-0"})
  void malformedCursorIsAProblem(String cursor) throws Exception {
    mvc.perform(get("/v1/sync").param("cursor", cursor))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:malformed-cursor"))
        .andExpect(jsonPath("$.status").value(400));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0", "501", "-1", "ten", "1.5", "", "+5", "05", " 5", "5 ", "0x10", "٣", "１", "1e2"
      })
  void limitOutOfRangeIsRefusedNotClamped(String limit) throws Exception {
    mvc.perform(get("/v1/sync").param("cursor", "0-0").param("limit", limit))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:validation"))
        .andExpect(jsonPath("$.detail").value("limit must be an integer from 1 to 500"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "30001", "x", "-0", "+5", "05", "٣", "", "9999999999"})
  void waitOutOfRangeIsRefused(String waitMs) throws Exception {
    mvc.perform(get("/v1/sync").param("cursor", "0-0").param("waitMs", waitMs))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:validation"))
        .andExpect(jsonPath("$.detail").value("waitMs must be an integer from 0 to 30000"));
  }

  @Test
  void pullsEntriesAfterTheCursor() throws Exception {
    store.append(List.of(ALICE), Items.message("c1", 1, "bob"));
    store.append(List.of(ALICE), Items.message("c1", 2, "bob"));
    store.append(List.of(ALICE), Items.message("c1", 3, "bob"));

    mvc.perform(get("/v1/sync").param("cursor", "0-0").param("limit", "2"))
        .andExpect(request().asyncNotStarted())
        .andExpect(status().isOk())
        .andExpect(header().string("Content-Type", "application/json"))
        .andExpect(jsonPath("$.entries.length()").value(2))
        .andExpect(jsonPath("$.entries[0].seq").value(1))
        .andExpect(jsonPath("$.entries[1].seq").value(2))
        .andExpect(jsonPath("$.hasMore").value(true))
        .andExpect(jsonPath("$.nextCursor").value("1002-0"))
        .andExpect(jsonPath("$.resync").isEmpty());
  }

  @Test
  void newDeviceGetsAResyncWithTheHead() throws Exception {
    mvc.perform(get("/v1/sync"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.resync.reason").value("new_device"))
        .andExpect(jsonPath("$.resync.headCursor").value("1-0"))
        .andExpect(jsonPath("$.entries.length()").value(0));
  }

  @Test
  void aLongPollParkedRightBeforeTheNewsAnswersWithItWithoutReadingTheInbox() throws Exception {
    MvcResult pending = park("10000");
    byte[] body = messageBody(9);

    // Nothing is appended to the store: the answer can only come from the news.
    longPolls.signal(
        ALICE, new InboxNews(ALICE, new InboxCursor(1, 0), new InboxCursor(7, 0), body));

    JsonNode answer = awaitAnswer(pending);
    assertThat(pending.getResponse().getStatus()).isEqualTo(200);
    assertThat(answer.path("entries")).hasSize(1);
    assertThat(answer.path("entries").get(0).path("cursor").asString()).isEqualTo("7-0");
    assertThat(answer.path("entries").get(0).path("seq").asLong()).isEqualTo(9);
    assertThat(answer.path("nextCursor").asString()).isEqualTo("7-0");
    assertThat(answer.path("hasMore").asBoolean()).isFalse();
    assertThat(longPolls.parked()).isZero();
  }

  /**
   * Alice is in one large group, G, quiet for her: she has it up to seq 5; its period began at 3.
   */
  private static final ConversationId G = ConversationId.of("g1");

  private static final class QuietGroup extends io.messenger.sync.largegroup.NoLargeGroups {
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public Pending pending(LargeGroupState state) {
      reads.incrementAndGet();
      return new Pending(List.of(), false, Set.of(G), Map.of(G, new Quiet(5, 3)));
    }
  }

  /** A long-poll of alice parked over {@code groups}, after its first read and its re-read. */
  private MvcResult parkIn(QuietGroup groups) throws Exception {
    MvcResult pending =
        mvc(store, longPolls, groups)
            .perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
            .andExpect(request().asyncStarted())
            .andReturn();
    await().untilAsserted(() -> assertThat(groups.reads.get()).isEqualTo(2));
    return pending;
  }

  /**
   * What lg_advance.lua publishes for an event of G at {@code seq} in the period from {@code
   * start}.
   */
  private static Message groupNews(String payload) {
    return new DefaultMessage(
        InboxStore.NEWS_CHANNEL.getBytes(StandardCharsets.UTF_8),
        payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aLongPollWokenByNewsOfAQuietLargeGroupAnswersItWithoutReadingAgain() throws Exception {
    QuietGroup groups = new QuietGroup();
    MvcResult pending = parkIn(groups);

    longPolls.onMessage(groupNews("#lg\ng1\n8\n3"), null);

    JsonNode answer = awaitAnswer(pending);
    assertThat(answer.path("entries")).isEmpty();
    assertThat(answer.path("nextCursor").asString()).isEqualTo("1-0");
    assertThat(answer.path("largeGroups")).hasSize(1);
    assertThat(answer.at("/largeGroups/0/conversationId").asString()).isEqualTo("g1");
    assertThat(answer.at("/largeGroups/0/afterSeq").asLong()).isEqualTo(5);
    assertThat(answer.at("/largeGroups/0/lastSeq").asLong()).isEqualTo(8);
    assertThat(groups.reads.get()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"#lg\ng1\n8\n7", "#lg\ng1\n8", "#lg\ng1\n5\n3", "#lg\ng1"})
  void groupNewsOfAnotherPeriodOrWithoutOneMakesTheLongPollReadAgain(String payload)
      throws Exception {
    QuietGroup groups = new QuietGroup();
    MvcResult pending = parkIn(groups);

    // Another period (the group shrank and grew again meanwhile), an older publisher's payload, a
    // seq the device has, or no seq: the waiter re-reads (still quiet here) and keeps waiting.
    longPolls.onMessage(groupNews(payload), null);
    await().untilAsserted(() -> assertThat(groups.reads.get()).isEqualTo(3));
    assertThat(pending.getResponse().getContentAsString()).isEmpty();
    assertThat(longPolls.parked()).isEqualTo(1);
  }

  @Test
  void newsThatDoesNotFollowTheCursorMakesTheLongPollReadTheInbox() throws Exception {
    MvcResult pending = park("10000");
    byte[] body = messageBody(9);

    // The news names another predecessor: the waiter re-reads, finds nothing, and keeps waiting.
    longPolls.signal(
        ALICE, new InboxNews(ALICE, new InboxCursor(6, 0), new InboxCursor(7, 0), body));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> pending.getResponse().getContentAsString().isEmpty());

    store.append(List.of(ALICE), Items.message("c1", 1, "bob"));
    longPolls.signal(ALICE, null);
    JsonNode answer = awaitAnswer(pending);
    assertThat(answer.path("entries")).hasSize(1);
    assertThat(answer.path("entries").get(0).path("seq").asLong()).isEqualTo(1);
  }

  @Test
  void aLongPollIsWokenByAnAppend() throws Exception {
    store.onAppend(user -> longPolls.signal(user, null));
    MvcResult pending = park("10000");
    assertThat(longPolls.parked()).isEqualTo(1);

    store.append(List.of(ALICE), Items.message("c1", 1, "bob"));

    JsonNode answer = awaitAnswer(pending);
    assertThat(answer.path("entries").get(0).path("seq").asLong()).isEqualTo(1);
    assertThat(meters.counter("messenger.sync.longpoll.wakeups").count()).isEqualTo(1);
    await().untilAsserted(() -> assertThat(longPolls.parked()).isZero());
  }

  @Test
  void aLongPollWithoutNewsAnswersEmptyWhenItsWaitIsOver() throws Exception {
    MvcResult pending = park("300");

    JsonNode answer = awaitAnswer(pending);

    assertThat(pending.getResponse().getStatus()).isEqualTo(200);
    assertThat(answer.path("entries")).isEmpty();
    assertThat(answer.path("nextCursor").asString()).isEqualTo("1-0");
    await().untilAsserted(() -> assertThat(longPolls.parked()).isZero());
  }

  /** A pull at the head of alice's empty inbox ({@code 1-0}) that parks for {@code waitMs}. */
  private MvcResult park(String waitMs) throws Exception {
    return mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", waitMs))
        .andExpect(request().asyncStarted())
        .andReturn();
  }

  /** The stored wire form of a message with {@code seq}, as news carries it. */
  private static byte[] messageBody(long seq) {
    return new EntryJson(JSON).body(Items.message("c1", seq, "bob"));
  }

  /**
   * The JSON a parked pull answered once it was woken (written from another thread): awaited until
   * the whole document is there.
   */
  private static JsonNode awaitAnswer(MvcResult pending) {
    String body =
        await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> pending.getResponse().getContentAsString(), InboxControllerTest::isJson);
    return JSON.readTree(body);
  }

  private static boolean isJson(String text) {
    try {
      return !text.isEmpty() && JSON.readTree(text).isObject();
    } catch (JacksonException e) {
      return false;
    }
  }

  @Test
  void aStoreFailureWhileParkedIsA503ProblemWithRetryAfter() throws Exception {
    AtomicBoolean failing = new AtomicBoolean();
    InMemoryInboxStore flaky =
        new InMemoryInboxStore() {
          @Override
          public synchronized PullResult pull(
              UserId user, DeviceId device, InboxCursor cursor, InboxCursor pending, int limit) {
            if (failing.get()) {
              throw new RedisConnectionFailureException("connection refused");
            }
            return super.pull(user, device, cursor, pending, limit);
          }
        };
    LongPollRegistry registry =
        new LongPollRegistry(new SyncProperties(1, null), meters, new SyncExecutors(meters));
    MockMvc flakyMvc = mvc(flaky, registry);
    MvcResult pending =
        flakyMvc
            .perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
            .andExpect(request().asyncStarted())
            .andReturn();

    failing.set(true);
    registry.signal(ALICE, null);

    JsonNode answer = awaitAnswer(pending);
    assertThat(pending.getResponse().getStatus()).isEqualTo(503);
    assertThat(pending.getResponse().getHeader("Retry-After")).isEqualTo("1");
    assertThat(pending.getResponse().getContentType()).isEqualTo("application/problem+json");
    assertThat(answer.path("type").asString()).isEqualTo("urn:messenger:problem:store-unavailable");
    assertThat(answer.path("instance").asString()).isEqualTo("/v1/sync");
    assertThat(registry.parked()).isZero();
  }

  @Test
  void beyondTheParkingLimitIsA503WithRetryAfter() throws Exception {
    park("10000");

    mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(header().string("Retry-After", "1"))
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:too-many-waiting"));
  }
}
