package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.node.client.DriftClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code drift.balancer.placement = home-first} in a cluster (decision 0035): a job starts at
 * its home while the home has a free slot, even with a faster node idle, and the home's own
 * count is read live, not from its last sample.
 */
class HomeFirstPlacementTest {

  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    // the home at speed 1, the other at 4: by cost every job would go to the other. Samples
    // every 2 s, so that within a test the home's sample is stale: only its live count can
    // tell that a finished job's slot is free again
    cluster = TestClusters.startReady(List.of(2, 2),
        Map.of("drift.balancer.placement", "home-first", "drift.load.interval", "2s"),
        Map.of(1, Map.of("drift.node.speed", 4)));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void shortJobsOneAfterAnotherAllStartAtHome() throws Exception {
    String home = cluster.node(0).selfNode();
    try (DriftClient client = DriftClient.connect(home)) {
      for (int i = 0; i < 8; i++) {
        // eight placements within one sample: counted against the sample, the third would
        // find the home's two slots taken by the first two and go to the faster node
        JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(i, 1, 0)));
        h.result().toCompletableFuture().get(20, TimeUnit.SECONDS);
        JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(home, info.host(), "job " + i + " ran away from a home with a free slot");
      }
    }
  }

  @Test
  void aJobTakesAFreeSlotAtHomeWithoutAskingTheBalancer() throws Exception {
    // decision 0036: the node opens its slots to its jobs once its own load is known, so the
    // first jobs after start may still ask; within 40 jobs one must not have
    String home = cluster.node(0).selfNode();
    try (DriftClient client = DriftClient.connect(home)) {
      io.drift.balancer.Decision taken = null;
      for (int i = 0; i < 40 && taken == null; i++) {
        JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(i, 1, 0)));
        h.result().toCompletableFuture().get(20, TimeUnit.SECONDS);
        for (io.drift.balancer.Decision d : client.decisionsAt(home, h.id())
            .toCompletableFuture().get(5, TimeUnit.SECONDS).decisions()) {
          if (d.reason().endsWith("taken without asking the balancer")) {
            taken = d;
          }
        }
      }
      org.junit.jupiter.api.Assertions.assertNotNull(taken,
          "every one of 40 jobs asked the balancer for its place");
      assertEquals("place", taken.kind());
      assertEquals(home, taken.target());
    }
  }

  @Test
  void aBurstFillsTheHomesSlotsAndTheRestGoByCost() throws Exception {
    String home = cluster.node(0).selfNode();
    String fast = cluster.node(1).selfNode();
    try (DriftClient client = DriftClient.connect(home)) {
      List<JobHandle<Long>> jobs = new ArrayList<>();
      for (int i = 0; i < 3; i++) { // each waits for input, holding its slot
        jobs.add(client.submit(JobSpec.of(new EchoInput())));
      }
      Map<String, Integer> byHost = new HashMap<>();
      for (JobHandle<Long> h : jobs) {
        byHost.merge(TestClusters.runningHost(cluster, h), 1, Integer::sum);
      }
      assertEquals(Map.of(home, 2, fast, 1), byHost);
      for (JobHandle<Long> h : jobs) {
        h.closeInput().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(0L, h.result().toCompletableFuture().get(20, TimeUnit.SECONDS));
      }
    }
  }
}
