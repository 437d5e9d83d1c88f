package io.messenger.system;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

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

  /** Number of entries in a user's inbox stream. */
  static long inboxLength(String user) {
    return redis().sync().xlen("inbox:{" + user + "}");
  }
}
