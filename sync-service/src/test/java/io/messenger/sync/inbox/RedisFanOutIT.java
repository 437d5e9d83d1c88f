package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.event.connection.ConnectedEvent;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.messenger.model.InboxItem;
import io.messenger.model.UserId;
import io.messenger.sync.SyncMetrics;
import io.messenger.sync.support.RedisExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fan-out against a real Redis: it runs on the shared connection (no connection of its own), it
 * survives a lost script cache, and its failures are Spring's.
 *
 * <p>New connections are counted on the client, from Lettuce's event bus ({@link ConnectedEvent}s
 * of this class's own connection factory): Redis's {@code total_connections_received} would also
 * count whatever else uses the shared test Redis at the same time.
 */
class RedisFanOutIT {

  @RegisterExtension static final RedisExtension redis = new RedisExtension();

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger opened = new AtomicInteger();
  private static ClientResources resources;
  private static LettuceConnectionFactory connections;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  static void connect() {
    resources = DefaultClientResources.create();
    resources
        .eventBus()
        .get()
        .filter(ConnectedEvent.class::isInstance)
        .subscribe(event -> opened.incrementAndGet());
    connections =
        new LettuceConnectionFactory(
            new RedisStandaloneConfiguration(RedisExtension.host(), RedisExtension.port()),
            LettuceClientConfiguration.builder()
                .clientResources(resources)
                .commandTimeout(Duration.ofSeconds(10))
                .build());
    connections.afterPropertiesSet();
    connections.start();
  }

  @AfterAll
  static void disconnect() {
    connections.destroy();
    resources.shutdown();
  }

  private final StringRedisTemplate template = new StringRedisTemplate(connections);
  private final RedisInboxStore store =
      new RedisInboxStore(
          template, JSON, new InboxProperties(1000, Duration.ofDays(7), false), meters);

  private List<UserId> newUsers(int count) {
    List<UserId> users = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      users.add(redis.newUser());
    }
    return users;
  }

  private static void assertAllAdded(List<AppendResult> results, List<UserId> users) {
    assertThat(results).extracting(AppendResult::user).containsExactlyElementsOf(users);
    assertThat(results).allSatisfy(r -> assertThat(r.added()).isTrue());
    assertThat(results).allSatisfy(r -> assertThat(r.cursor()).isNotNull());
  }

  @Test
  void aFanOutTo500UsersOpensNoConnection() {
    // The shared connection (and the script) are there before the fan-out, as in a running service.
    store.append(List.of(redis.newUser()), Items.message("c0", 1, "bob"));
    List<UserId> users = newUsers(500);
    InboxItem item = Items.message("c1", 1, "bob");
    int before = opened.get();

    List<AppendResult> results = store.append(users, item);

    assertThat(opened.get()).isEqualTo(before);
    assertAllAdded(results, users);
    assertThat(meters.counter(SyncMetrics.INBOX_APPEND, "outcome", "added").count())
        .isEqualTo(501.0);

    List<AppendResult> again = store.append(users, item);

    assertThat(opened.get()).isEqualTo(before);
    assertThat(again).extracting(AppendResult::user).containsExactlyElementsOf(users);
    assertThat(again).noneMatch(AppendResult::added);
    assertThat(again)
        .extracting(AppendResult::cursor)
        .containsExactlyElementsOf(results.stream().map(AppendResult::cursor).toList());
    assertThat(meters.counter(SyncMetrics.INBOX_APPEND, "outcome", "duplicate").count())
        .isEqualTo(500.0);

    // The probe sees a dedicated connection: a pipeline (the former fan-out) opens one.
    template.executePipelined(
        (RedisCallback<Object>)
            connection -> {
              connection.ping();
              return null;
            });
    assertThat(opened.get()).isEqualTo(before + 1);
  }

  @Test
  void anUnknownScriptIsLoadedAndTheFanOutRetried() {
    store.append(List.of(redis.newUser()), Items.message("c0", 1, "bob"));
    List<UserId> users = newUsers(20);
    // As after a Redis restart: no script is known (other users of this Redis reload theirs).
    template.execute(
        (RedisCallback<Object>)
            connection -> {
              connection.scriptingCommands().scriptFlush();
              return null;
            });

    List<AppendResult> results = store.append(users, Items.message("c1", 1, "bob"));

    assertAllAdded(results, users);
  }

  @Test
  void aFailingCallIsADataAccessException() {
    UserId fine = redis.newUser();
    UserId broken = redis.newUser();
    // Its meta hash is a string: the script's first HGET fails (WRONGTYPE).
    template.opsForValue().set(RedisExtension.keysOf(broken).get(1), "not a hash");

    assertThatThrownBy(() -> store.append(List.of(fine, broken), Items.message("c1", 1, "bob")))
        .isInstanceOf(DataAccessException.class)
        .hasRootCauseInstanceOf(RedisCommandExecutionException.class);
  }
}
