package io.messenger.sync;

import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.lettuce.core.cluster.RedisClusterClient;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RedisTopologyTest {

  @Test
  void aBurstOfFailedCallsRefreshesTheTopologyOnce() {
    RedisClusterClient client = mock(RedisClusterClient.class);
    when(client.refreshPartitionsAsync()).thenReturn(CompletableFuture.completedFuture(null));
    RedisTopology topology = new RedisTopology(() -> client);

    for (int i = 0; i < 50; i++) {
      topology.callFailed();
    }

    verify(client, times(1)).refreshPartitionsAsync();
  }

  @Test
  void aRedisThatIsNoClusterHasNothingToRefresh() {
    RedisTopology.NONE.callFailed(); // no client: nothing happens, nothing fails
  }
}
