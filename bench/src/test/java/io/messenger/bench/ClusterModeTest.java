package io.messenger.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.SlotHash;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure parts of the cluster mode: addresses, the append arguments, the shard channels. */
class ClusterModeTest {

  @Test
  void addressesOfOneNodeAndOfACluster() {
    assertEquals(
        List.of(new InetSocketAddress("127.0.0.1", 6393)), RawStores.addresses("127.0.0.1:6393"));
    assertEquals(
        List.of(
            new InetSocketAddress("127.0.0.31", 9042),
            new InetSocketAddress("127.0.0.32", 9042),
            new InetSocketAddress("127.0.0.33", 9042)),
        RawStores.addresses("127.0.0.31:9042,127.0.0.32:9042, 127.0.0.33:9042"));
    assertThrows(IllegalArgumentException.class, () -> RawStores.addresses("127.0.0.1"));
    assertThrows(IllegalArgumentException.class, () -> RawStores.addresses(","));
  }

  @Test
  void singleNodeAppendArgumentsAreTheOldOnes() {
    assertArrayEquals(
        new String[] {
          "k",
          "{}",
          "1000",
          Long.toString(RawStores.RETENTION_MILLIS),
          "",
          "inbox-news",
          "u1",
          "16384",
          ""
        },
        RawStores.appendValues(false, "u1", "k", "{}"));
  }

  @Test
  void clusterAppendPublishesOnTheShardChannelOfTheUsersSlot() {
    String[] values = RawStores.appendValues(true, "b1xp7", "k", "{}");
    assertEquals(10, values.length);
    assertEquals("SPUBLISH", values[9]);
    assertEquals(RawStores.shardChannel("b1xp7"), values[5]);
    assertEquals(SlotHash.getSlot("{b1xp7}"), SlotHash.getSlot(values[5]));
    assertTrue(values[5].startsWith("inbox-news:{"));
  }

  @Test
  void everySlotHasATag() {
    for (int slot : new int[] {0, 1, 5000, 12182, SlotHash.SLOT_COUNT - 1}) {
      assertEquals(slot, SlotHash.getSlot(RawStores.slotTag(slot)));
    }
    assertEquals("a", RawStores.slotTag(SlotHash.getSlot("a")));
  }

  @Test
  void compareSetsRunsSideBySide() throws Exception {
    var single =
        Api.JSON.readTree(
            "{\"summary\":{\"deployment\":\"single node\",\"label\":\"x\"},\"results\":["
                + "{\"scenario\":\"pull\",\"case\":\"pull c=1\",\"params\":{\"concurrency\":1},"
                + "\"throughputPerSec\":100.4,\"p50Ms\":1.234,\"p99Ms\":5}]}");
    var cluster =
        Api.JSON.readTree(
            "{\"summary\":{\"deployment\":\"cluster\",\"label\":\"x\"},\"results\":["
                + "{\"scenario\":\"pull\",\"case\":\"pull c=1\",\"params\":{\"concurrency\":1},"
                + "\"throughputPerSec\":50,\"p50Ms\":2,\"p99Ms\":null},"
                + "{\"scenario\":\"ack\",\"case\":\"storm\",\"params\":{}}]}");
    String md = Compare.table(List.of(single, cluster), Set.of("pull"));
    assertTrue(md.contains("| single node (x) ops/s |"), md);
    assertTrue(md.contains("| cluster (x) p99 ms |"), md);
    assertTrue(md.contains("| pull | pull c=1 | 1 | 100 | 1.23 | 5.00 | 50 | 2.00 |  |"), md);
    assertTrue(!md.contains("storm"), md);
  }
}
