package io.messenger.system;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Direct access to the real Redis, to inflict what operators fear (a flush) and to inspect. */
final class Stores {

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  private Stores() {}

  static String redisHost() {
    return SystemUnderTest.env("MESSENGER_REDIS_HOST", "127.0.0.1");
  }

  static int redisPort() {
    return Integer.parseInt(SystemUnderTest.env("MESSENGER_REDIS_PORT", "6379"));
  }

  static synchronized StatefulRedisConnection<String, String> redis() {
    if (connection == null) {
      client = RedisClient.create("redis://" + redisHost() + ":" + redisPort());
      connection = client.connect();
    }
    return connection;
  }

  /** {@code CLIENT PAUSE <millis> WRITE}: every client's writes (and scripts) wait. */
  static void pauseWrites(long millis) {
    client("PAUSE", Long.toString(millis), "WRITE");
  }

  /** {@code CLIENT UNPAUSE}. */
  static void unpause() {
    client("UNPAUSE");
  }

  private static void client(String... args) {
    var codec = io.lettuce.core.codec.StringCodec.UTF8;
    var command = new io.lettuce.core.protocol.CommandArgs<>(codec);
    for (String arg : args) {
      command.add(arg);
    }
    redis()
        .sync()
        .dispatch(
            io.lettuce.core.protocol.CommandType.CLIENT,
            new io.lettuce.core.output.StatusOutput<>(codec),
            command);
  }

  /** Number of entries in a user's inbox stream. */
  static long inboxLength(String user) {
    return redis().sync().xlen("inbox:{" + user + "}");
  }

  /** The stores as the fuzzer compares them: the users' inbox keys, and the history as text. */
  record Snapshot(Map<String, Object> redis, String history) {}

  static Snapshot snapshot(List<String> users, String history) {
    return new Snapshot(redisState(users), history);
  }

  /**
   * Every inbox key of {@code users}: the stream's length and newest id, the meta hash (device
   * cursors, incarnation, trim marks) and the dedupe set's size. Stream ids carry the time, so any
   * append shows even when the cap keeps the length constant.
   */
  static Map<String, Object> redisState(List<String> users) {
    var redis = redis().sync();
    Map<String, Object> state = new TreeMap<>();
    for (String user : users) {
      String tag = "{" + user + "}";
      var newest =
          redis.xrevrange(
              "inbox:" + tag,
              io.lettuce.core.Range.create("-", "+"),
              io.lettuce.core.Limit.create(0, 1));
      state.put(
          user + ".stream",
          redis.xlen("inbox:" + tag) + "/" + (newest.isEmpty() ? "-" : newest.get(0).getId()));
      state.put(user + ".meta", new TreeMap<>(redis.hgetall("inbox-meta:" + tag)));
      state.put(user + ".dedupe", redis.zcard("inbox-dedupe:" + tag));
    }
    return state;
  }

  /** {@code value} as a JSON string literal (any char, lone surrogates included, escaped). */
  static String jsonString(String value) {
    StringBuilder json = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\') {
        json.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c) || c > 0x7e) {
        json.append(String.format("\\u%04x", (int) c));
      } else {
        json.append(c);
      }
    }
    return json.append('"').toString();
  }
}
