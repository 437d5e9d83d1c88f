package io.messenger.sync.inbox;

import io.lettuce.core.cluster.SlotHash;
import io.messenger.model.UserId;
import java.nio.charset.StandardCharsets;

/**
 * Where {@code append.lua} announces a new entry. On one Redis: the plain pub/sub channel {@value
 * InboxStore#NEWS_CHANNEL} ({@code PUBLISH}). On a Redis Cluster, plain {@code PUBLISH} goes to
 * every node of the cluster, so its cost grows with the number of nodes; there the news goes with
 * {@code SPUBLISH} (Redis 7 sharded pub/sub) to the shard channel of the user's slot, {@code
 * inbox-news:{<tag>}}, where {@code <tag>} is a fixed short string that hashes to the same slot as
 * the user's keys {@code inbox:{<userId>}} (a script may only touch its own slot, shard channels
 * included). There are {@value SlotHash#SLOT_COUNT} such channels; every sync instance subscribes
 * to all of them ({@link ShardedNewsSubscriber}), each on the master that owns its slot, so a send
 * costs one message per sync instance on one shard, whatever the number of shards.
 */
public final class NewsChannels {

  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  /** The shortest string of {@link #ALPHABET} hashing to each slot (first found in order). */
  private static final String[] TAGS = tags();

  private NewsChannels() {}

  /** The slot of a user's inbox keys. */
  static int slotOf(UserId user) {
    return SlotHash.getSlot("{" + user.value() + "}");
  }

  /** The shard channel of {@code slot}: {@code inbox-news:{<tag>}}. */
  public static String shardChannel(int slot) {
    return InboxStore.NEWS_CHANNEL + ":{" + TAGS[slot] + "}";
  }

  /** The shard channel that announces entries of {@code user}'s inbox. */
  static String shardChannel(UserId user) {
    return shardChannel(slotOf(user));
  }

  private static String[] tags() {
    String[] tags = new String[SlotHash.SLOT_COUNT];
    int missing = tags.length;
    char[] buffer = new char[4];
    for (int length = 1; length <= 4 && missing > 0; length++) {
      int combinations = (int) Math.pow(ALPHABET.length(), length);
      for (int n = 0; n < combinations && missing > 0; n++) {
        int rest = n;
        for (int i = length - 1; i >= 0; i--) {
          buffer[i] = ALPHABET.charAt(rest % ALPHABET.length());
          rest /= ALPHABET.length();
        }
        String tag = new String(buffer, 0, length);
        int slot = SlotHash.getSlot(tag.getBytes(StandardCharsets.US_ASCII));
        if (tags[slot] == null) {
          tags[slot] = tag;
          missing--;
        }
      }
    }
    if (missing > 0) {
      throw new IllegalStateException(missing + " slots without a news channel tag");
    }
    return tags;
  }
}
