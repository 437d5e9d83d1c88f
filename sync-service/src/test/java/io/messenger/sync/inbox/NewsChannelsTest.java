package io.messenger.sync.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import io.messenger.model.DeviceId;
import io.messenger.model.UserId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NewsChannelsTest {

  @Test
  void aUsersNewsChannelIsInTheSlotOfTheUsersKeys() {
    for (String user :
        new String[] {"alice", "bob", "u-123", "x", "a_very_long_user_id_0123456789"}) {
      UserId id = UserId.of(user);
      String channel = NewsChannels.shardChannel(id);
      // Every key pull.lua gets: the inbox's and the user's side of the large-group index.
      List<String> keys = new ArrayList<>(UserKeys.inbox(id));
      keys.add(UserKeys.largeGroups(id));
      keys.add(UserKeys.largeGroupAcks(id, DeviceId.of("phone")));
      keys.add(UserKeys.largeGroupAcks(id, DeviceId.of("d_0123456789-abcdefghijklmnopqrstuvwxyz")));
      for (String key : keys) {
        assertThat(SlotHash.getSlot(channel))
            .as(channel + " vs " + key)
            .isEqualTo(SlotHash.getSlot(key));
      }
    }
  }

  @Test
  void everySlotHasItsOwnChannel() {
    Set<String> channels = new HashSet<>();
    for (int slot = 0; slot < SlotHash.SLOT_COUNT; slot++) {
      String channel = NewsChannels.shardChannel(slot);
      assertThat(SlotHash.getSlot(channel)).isEqualTo(slot);
      assertThat(channel).startsWith("inbox-news:{").hasSizeLessThanOrEqualTo(17);
      channels.add(channel);
    }
    assertThat(channels).hasSize(SlotHash.SLOT_COUNT);
  }
}
