package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.messenger.model.DeviceId;
import io.messenger.model.InboxCursor;
import io.messenger.model.UserId;
import io.messenger.support.problem.ProblemAdvice;
import io.messenger.support.security.Caller;
import io.messenger.sync.SyncProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.core.MethodParameter;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class InboxControllerTest {

  private static final UserId ALICE = UserId.of("alice");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final InMemoryInboxStore store = new InMemoryInboxStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final LongPollRegistry longPolls =
      new LongPollRegistry(new SyncProperties(1, null), meters);
  private final MockMvc mvc =
      MockMvcBuilders.standaloneSetup(
              new InboxController(
                  new InboxService(store, PendingAcks.NONE, longPolls, meters),
                  new PullExchanges(JSON, meters)))
          .setControllerAdvice(new ProblemAdvice())
          .setCustomArgumentResolvers(new TestCaller())
          .build();

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
  @ValueSource(strings = {"0", "501", "-1", "ten", "1.5", ""})
  void limitOutOfRangeIsRefusedNotClamped(String limit) throws Exception {
    mvc.perform(get("/v1/sync").param("cursor", "0-0").param("limit", limit))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:validation"))
        .andExpect(jsonPath("$.detail").value("limit must be an integer from 1 to 500"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "30001", "x"})
  void waitOutOfRangeIsRefused(String waitMs) throws Exception {
    mvc.perform(get("/v1/sync").param("cursor", "0-0").param("waitMs", waitMs))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:validation"));
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
    MvcResult pending =
        mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
            .andExpect(request().asyncStarted())
            .andReturn();
    byte[] body = new EntryJson(JSON).body(Items.message("c1", 9, "bob"));

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

  @Test
  void newsThatDoesNotFollowTheCursorMakesTheLongPollReadTheInbox() throws Exception {
    MvcResult pending =
        mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
            .andExpect(request().asyncStarted())
            .andReturn();
    byte[] body = new EntryJson(JSON).body(Items.message("c1", 9, "bob"));

    // The news names another predecessor: the waiter re-reads, finds nothing, and keeps waiting.
    longPolls.signal(
        ALICE, new InboxNews(ALICE, new InboxCursor(6, 0), new InboxCursor(7, 0), body));
    Thread.sleep(300);
    assertThat(pending.getResponse().getContentAsString()).isEmpty();

    store.append(List.of(ALICE), Items.message("c1", 1, "bob"));
    longPolls.signal(ALICE, null);
    JsonNode answer = awaitAnswer(pending);
    assertThat(answer.path("entries")).hasSize(1);
    assertThat(answer.path("entries").get(0).path("seq").asLong()).isEqualTo(1);
  }

  @Test
  void aLongPollIsWokenByAnAppend() throws Exception {
    store.onAppend(user -> longPolls.signal(user, null));
    MvcResult pending =
        mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
            .andExpect(request().asyncStarted())
            .andReturn();
    assertThat(longPolls.parked()).isEqualTo(1);

    store.append(List.of(ALICE), Items.message("c1", 1, "bob"));

    JsonNode answer = awaitAnswer(pending);
    assertThat(answer.path("entries").get(0).path("seq").asLong()).isEqualTo(1);
    assertThat(meters.counter("messenger.sync.longpoll.wakeups").count()).isEqualTo(1);
    assertThat(longPolls.parked()).isZero();
  }

  @Test
  void aLongPollWithoutNewsAnswersEmptyWhenItsWaitIsOver() throws Exception {
    MvcResult pending =
        mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "300"))
            .andExpect(request().asyncStarted())
            .andReturn();

    JsonNode answer = awaitAnswer(pending);

    assertThat(pending.getResponse().getStatus()).isEqualTo(200);
    assertThat(answer.path("entries")).isEmpty();
    assertThat(answer.path("nextCursor").asString()).isEqualTo("1-0");
    assertThat(longPolls.parked()).isZero();
  }

  /** The JSON a parked pull answered once it was woken (written from another thread). */
  private static JsonNode awaitAnswer(MvcResult pending) throws Exception {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    while (pending.getResponse().getContentAsString().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the parked pull was not answered");
      }
      Thread.sleep(10);
    }
    Thread.sleep(50); // the exchange completes right after the write
    return JSON.readTree(pending.getResponse().getContentAsString());
  }

  @Test
  void beyondTheParkingLimitIsA503WithRetryAfter() throws Exception {
    mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
        .andExpect(request().asyncStarted());

    mvc.perform(get("/v1/sync").param("cursor", "1-0").param("waitMs", "10000"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(header().string("Retry-After", "1"))
        .andExpect(jsonPath("$.type").value("urn:messenger:problem:too-many-waiting"));
  }
}
