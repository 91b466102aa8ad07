package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.node.client.DriftClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code drift.balancer.placement = cost}, the setting that home-first (the default since
 * decision 0035) falls back on and that operators can still choose: with a faster node idle,
 * a job leaves its slower home although the home has free slots. The counterpart of {@link
 * HomeFirstPlacementTest}, on the same cluster.
 */
class CostPlacementTest {

  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestClusters.startReady(List.of(2, 2),
        Map.of("drift.balancer.placement", "cost"),
        Map.of(1, Map.of("drift.node.speed", 4)));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aJobGoesToTheFasterIdleNodeNotItsSlowerHome() throws Exception {
    String home = cluster.node(0).selfNode();
    String fast = cluster.node(1).selfNode();
    try (DriftClient client = DriftClient.connect(home)) {
      JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(7, 1, 0)));
      h.result().toCompletableFuture().get(20, TimeUnit.SECONDS);
      JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(fast, info.host(), "by cost a free slot at speed 4 beats one at speed 1");
    }
  }
}
