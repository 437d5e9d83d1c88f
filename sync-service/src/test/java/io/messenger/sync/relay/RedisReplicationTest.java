package io.messenger.sync.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class RedisReplicationTest {

  @Test
  void onlyOnlineReplicasAndTheirOffsetsCount() {
    Properties info = new Properties();
    info.setProperty("role", "master");
    info.setProperty("connected_slaves", "3");
    info.setProperty("slave0", "ip=10.0.0.2,port=6379,state=online,offset=1234,lag=0");
    info.setProperty("slave1", "ip=10.0.0.3,port=6379,state=wait_bgsave,offset=0,lag=0");
    info.setProperty("slave2", "ip=10.0.0.4,port=6379,state=online,offset=99,lag=1");
    info.setProperty("master_repl_offset", "1300");
    info.setProperty("slave_read_repl_offset", "5");

    assertThat(RedisReplication.onlineReplicaOffsets(info))
        .isEqualTo(Map.of("slave0", 1234L, "slave2", 99L));
  }

  @Test
  void anEmptyMarkIsCaughtUp() {
    assertThat(ReplicaMark.NONE.none()).isTrue();
    assertThat(new ReplicaMark(Map.of("n1", 5L)).none()).isFalse();
  }
}
