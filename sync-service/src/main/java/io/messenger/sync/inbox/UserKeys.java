package io.messenger.sync.inbox;

import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import java.util.List;

/**
 * The Redis keys of one user {@code U}, all with the hash tag {@code {U}}: one Redis Cluster slot,
 * so one script may touch them all. The inbox's three ({@link RedisInboxStore}) and the user's side
 * of the large-group index ({@code RedisLargeGroupStore}), which a pull reads in the inbox's own
 * script. Contents, bounds and TTLs: {@code docs/data-layout.md}, "Redis (sync-service)".
 */
public final class UserKeys {

  private UserKeys() {}

  /** {@code inbox:{U}} (STREAM), {@code inbox-meta:{U}} (HASH), {@code inbox-dedupe:{U}} (ZSET). */
  static List<String> inbox(UserId user) {
    String tag = tag(user);
    return List.of("inbox:" + tag, "inbox-meta:" + tag, "inbox-dedupe:" + tag);
  }

  /** {@code lg:{U}} (HASH): the user's large groups, each with the seq the user joined it at. */
  public static String largeGroups(UserId user) {
    return "lg:" + tag(user);
  }

  /** {@code lg-ack:{U}:<deviceId>} (HASH): the seq the device acknowledged of each large group. */
  public static String largeGroupAcks(UserId user, DeviceId device) {
    return "lg-ack:" + tag(user) + ":" + device.value();
  }

  private static String tag(UserId user) {
    return "{" + user.value() + "}";
  }
}
