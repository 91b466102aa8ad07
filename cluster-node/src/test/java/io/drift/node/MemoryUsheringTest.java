package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.balancer.Decision;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/**
 * MOSIX's memory ushering in the running nodes: a node whose units grow past its memory
 * budget pushes one to a node that can hold it, and a node too small for a unit never gets it,
 * neither by ushering nor by load. Results are those of runs that never moved.
 */
class MemoryUsheringTest {

  static final int GROW_TO_MIB = 22;
  static final int HOLD_STEPS = 700;

  @Test
  void aNodeShortOfMemoryShedsAUnitToANodeThatCanHoldIt() throws Exception {
    Map<String, Object> settings = new HashMap<>(AutoBalanceTest.BALANCING);
    settings.put("drift.executor.checkpoint-interval", "300ms"); // the state is measured then
    // node 0: 48 MiB for units; two units of 22 MiB leave it 4 MiB, under 10% free
    try (LocalCluster c = TestClusters.startReady(List.of(2), settings,
            Map.of(0, Map.of("drift.node.memory", "48MiB")));
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      List<JobHandle<Long>> jobs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        jobs.add(client.submit(JobSpec.of(new GrowingState(GROW_TO_MIB, HOLD_STEPS))));
      }
      ActorTestKit kit = ActorTestKit.create(c.node(0).system());
      String home = c.node(0).selfNode();
      for (JobHandle<Long> h : jobs) {
        assertEquals(home, TestClusters.runningHost(c, h));
      }
      // a node too small for either unit, and one with room for both
      String small = c.addNode(2, Map.of("drift.node.memory", "16MiB")).selfNode();
      String large = c.addNode(2, Map.of("drift.node.memory", "256MiB")).selfNode();
      c.awaitReady(Duration.ofSeconds(30));

      Decision ushered = kit.createTestProbe().awaitAssert(Duration.ofSeconds(30),
          Duration.ofMillis(200), () -> {
            List<Decision> memory = AutoBalanceTest.decisions(c, 0).stream()
                .filter(d -> d.kind().equals("memory")).toList();
            assertTrue(!memory.isEmpty() && memory.get(0).outcome() != null,
                "node 0 ushers a unit: " + AutoBalanceTest.decisions(c, 0));
            return memory.get(0);
          });
      assertEquals(large, ushered.target(), ushered.toString());
      assertTrue(ushered.outcome().startsWith("moved"), ushered.toString());
      assertTrue(ushered.reason().contains("memory ushering"), ushered.reason());

      long expected = GrowingState.expected(GROW_TO_MIB, HOLD_STEPS);
      int onLarge = 0;
      for (JobHandle<Long> h : jobs) {
        assertEquals(expected, h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
        JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertNotEquals(small, info.host(), "the small node never held a unit: " + info);
        if (large.equals(info.host())) {
          onLarge++;
        }
      }
      assertEquals(1, onLarge, "one unit went; the other had room once it left");
      for (int i = 0; i < c.nodes().size(); i++) {
        for (Decision d : AutoBalanceTest.decisions(c, i)) {
          assertNotEquals(small, d.target(), "nothing was sent to the small node: " + d);
        }
      }
    }
  }
}
