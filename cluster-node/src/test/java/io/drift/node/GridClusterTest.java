package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.balancer.Balancer;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * Two clusters of one grid (Pekko data centers A and B) in one JVM: A is saturated, B idle.
 * When B's table takes A's jobs, some of them go to B; when it does not, none ever runs there,
 * though B's samples say it is idle, and A's jobs all finish at home with their results.
 */
class GridClusterTest {

  static final String DC = "pekko.cluster.multi-data-center.self-data-center";

  static LocalCluster grid(boolean bTakesA) {
    Map<String, Object> settings = new HashMap<>(AutoBalanceTest.BALANCING);
    Map<String, Object> a = Map.of(DC, "A", "drift.grid.partners.B.priority", 1);
    Map<String, Object> b = Map.of(DC, "B", "drift.grid.partners.A.priority", 1,
        "drift.grid.partners.A.take", bTakesA);
    return TestClusters.startReady(List.of(1, 1, 2), settings, Map.of(0, a, 1, a, 2, b));
  }

  /** Walks submitted at node 0 (cluster A), with the hosts each was seen on. */
  static List<JobHandle<Long>> walks(DriftClient client, int n) {
    List<JobHandle<Long>> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(client.submit(JobSpec.of(new SeededWalk(MigrationTest.SEED, 4_000, 1_000))));
    }
    return jobs;
  }

  static Set<String> hosts(List<JobHandle<Long>> jobs) throws Exception {
    Set<String> out = new HashSet<>();
    for (JobHandle<Long> h : jobs) {
      JobInfo i = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      if (!i.host().isEmpty()) {
        out.add(i.host());
      }
    }
    return out;
  }

  @Test
  void aClusterThatTakesNoGuestsFromAnotherNeverGetsOneThoughIdle() throws Exception {
    try (LocalCluster c = grid(false);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      String b = c.node(2).selfNode();
      List<JobHandle<Long>> jobs = walks(client, 6); // 6 units on A's 2 slots
      long expected = MigrationTest.unmoved(4_000).result();
      // A knows B and knows it is idle
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        Balancer.Nodes nodes = AskPattern.<Balancer.Command, Balancer.Nodes>ask(
            c.node(0).refs().balancer(), Balancer.GetNodes::new, Duration.ofSeconds(3),
            c.node(0).system().scheduler()).toCompletableFuture().get(4, TimeUnit.SECONDS);
        assertTrue(nodes.nodes().stream().anyMatch(n -> n.sample().node().equals(b)
            && n.sample().runnable() == 0), "B idle in A's view: " + nodes);
        return null;
      });
      // while they run (about 4 s of CPU each, 6 on 2 slots), none is ever on B
      boolean done = false;
      while (!done) {
        assertFalse(hosts(jobs).contains(b), "a job of A ran on B");
        done = jobs.stream().allMatch(j -> j.result().toCompletableFuture().isDone());
        probe.expectNoMessage(Duration.ofMillis(100));
      }
      for (JobHandle<Long> h : jobs) {
        assertEquals(expected, h.result().toCompletableFuture().get(5, TimeUnit.SECONDS));
      }
      // not for want of trying: A's table sends to B, and B said no
      List<io.drift.balancer.Decision> tried = new ArrayList<>(AutoBalanceTest.decisions(c, 0));
      tried.addAll(AutoBalanceTest.decisions(c, 1));
      assertTrue(tried.stream().anyMatch(d -> b.equals(d.target()) && d.outcome() != null
          && d.outcome().contains("takes no guests from cluster A")), tried.toString());
    }
  }

  @Test
  void aClusterThatTakesGuestsGetsSomeOfASaturatedPartnersJobs() throws Exception {
    try (LocalCluster c = grid(true);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      String b = c.node(2).selfNode();
      List<JobHandle<Long>> jobs = walks(client, 6);
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
        assertTrue(hosts(jobs).contains(b), "some of A's jobs run on B");
        return null;
      });
      long expected = MigrationTest.unmoved(4_000).result();
      for (JobHandle<Long> h : jobs) {
        assertEquals(expected, h.result().toCompletableFuture().get(120, TimeUnit.SECONDS));
      }
    }
  }

  static Balancer.Nodes nodes(LocalCluster c, int i) throws Exception {
    return AskPattern.<Balancer.Command, Balancer.Nodes>ask(c.node(i).refs().balancer(),
        Balancer.GetNodes::new, Duration.ofSeconds(3), c.node(i).system().scheduler())
        .toCompletableFuture().get(4, TimeUnit.SECONDS);
  }

  /** What the window holds of {@code node}: its age in intervals, -1 if nothing. */
  static int gossipAge(Balancer.Nodes nodes, String node) {
    return nodes.nodes().stream().filter(n -> n.sample().node().equals(node))
        .mapToInt(Balancer.NodeStatus::gossipAge).findFirst().orElse(-2);
  }

  @Test
  void clustersLearnOfEachOtherOnlyThroughTheBoundedGossipBetweenThem() throws Exception {
    Map<String, Object> a = Map.of(DC, "A", "drift.grid.partners.B.priority", 1,
        "drift.grid.cross-entries", 2);
    Map<String, Object> b = Map.of(DC, "B", "drift.grid.partners.A.priority", 1,
        "drift.grid.cross-entries", 0); // B tells A nothing
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1, 1), AutoBalanceTest.BALANCING,
        Map.of(0, a, 1, a, 2, b))) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      String b0 = c.node(2).selfNode();
      // B hears of both of A's nodes through A's gossip
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        Balancer.Nodes atB = nodes(c, 2);
        assertTrue(gossipAge(atB, c.node(0).selfNode()) >= 0, atB.toString());
        assertTrue(gossipAge(atB, c.node(1).selfNode()) >= 0, atB.toString());
        return null;
      });
      // A has B's samples by Distributed Data (for operators), never in its window
      for (int i = 0; i < 10; i++) {
        Balancer.Nodes atA = nodes(c, 0);
        assertEquals(-1, gossipAge(atA, b0), "B's node in A's window: " + atA);
        assertEquals(0, gossipAge(atA, c.node(0).selfNode()));
        probe.expectNoMessage(Duration.ofMillis(200));
      }
    }
  }

  @Test
  void aMoveToAPartnerMeasuresTheBandwidthToItsCluster() throws Exception {
    Map<String, Object> a = Map.of(DC, "A", "drift.grid.partners.B.priority", 1);
    Map<String, Object> b = Map.of(DC, "B", "drift.grid.partners.A.priority", 1);
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1), Map.of(), Map.of(0, a, 1, b));
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      NodeControl atA = new NodeControl(c.node(0).system(), c.node(0).refs());
      Map<String, Object> before = atA.grid().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(Map.of(), before.get("measuredBandwidth"), "nothing measured yet");
      // 1 MiB of state, started at home on A, moved by hand to B
      JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(MigrationTest.SEED, 3_000,
          1_000, 1 << 20)).withStartOn(JobSpec.HOME));
      TestClusters.runningHost(c, h);
      JobInfo moved = h.migrate(c.node(1).selfNode()).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      assertEquals(c.node(1).selfNode(), moved.host());
      Map<String, Object> after = atA.grid().toCompletableFuture().get(10, TimeUnit.SECONDS);
      @SuppressWarnings("unchecked")
      Map<String, Double> measured = (Map<String, Double>) after.get("measuredBandwidth");
      assertTrue(measured.getOrDefault("B", 0.0) > 1e6, "at least 1 MB/s on loopback: " + after);
      h.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
