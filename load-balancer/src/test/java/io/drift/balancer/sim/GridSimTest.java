package io.drift.balancer.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.balancer.policy.PolicyConfig;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The simulator's grid mode: clusters that share finish a skewed load far sooner than clusters
 * alone, cross only when their own cluster is full, and tell each other a bounded number of
 * entries per interval; clusters alone never send a unit across.
 */
class GridSimTest {

  static final int CLUSTERS = 4;
  static final int SIZE = 10;

  static ClusterSim sim(Workload.Trace t, ClusterSim.Setup setup, boolean share) {
    return new ClusterSim(setup, t, ClusterSim.Strategy.DRIFT).withGrid(new ClusterSim.Grid(
        ClusterSim.Grid.blocks(CLUSTERS, SIZE), share, 12.5e6, 2));
  }

  @Test
  void sharingFinishesASkewedLoadAtLeastTwiceAsSoonAndAloneNothingCrosses() {
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(CLUSTERS * SIZE, 2, 8L << 30, 8,
        PolicyConfig.defaults(), 3);
    int[] clusterOf = ClusterSim.Grid.blocks(CLUSTERS, SIZE);
    // 92.5% of the work lands in cluster 0, at 0.7 of the grid's capacity: 2.6 times what
    // cluster 0 can run alone, while the grid as a whole has room
    Workload.Trace t = Workload.skewed(1_500, clusterOf, 0.9, setup.capacity(), 0.7,
        Workload.Sizes.EXPONENTIAL, 30, 64L << 20, 4L << 20, 5);
    Set<Integer> landedAlone = new HashSet<>();
    ClusterSim alone = sim(t, setup, false).observe((time, job, node, s) -> {
      if (clusterOf[node] != clusterOf[t.home()[job]]) {
        landedAlone.add(job);
      }
    });
    ClusterSim.Result a = alone.run();
    ClusterSim shared = sim(t, setup, true);
    ClusterSim.Result s = shared.run();

    assertTrue(a.makespan() >= 2 * s.makespan(), "alone " + a.makespan() + " s, shared "
        + s.makespan() + " s");
    assertTrue(landedAlone.isEmpty(), landedAlone.size() + " units crossed with no sharing");
    assertEquals(new ClusterSim.CrossTraffic(0, 0, 0, 0), alone.crossTraffic());
    ClusterSim.CrossTraffic x = shared.crossTraffic();
    assertTrue(x.placements() + x.moves() > 0, x.toString());
    assertEquals(4L << 20, x.stateBytes() / (x.placements() + x.moves()), 1.0,
        "each crossing carries one state");
    // bounded: each cluster offers each partner 2 entries per interval, and no more
    long intervals = (long) Math.ceil(s.makespan()) + 1;
    assertTrue(x.gossipEntries() <= intervals * CLUSTERS * (CLUSTERS - 1) * 2,
        x.gossipEntries() + " entries in about " + intervals + " intervals");
  }

  @Test
  void localFirstAnEvenLoadStaysInItsClusters() {
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(CLUSTERS * SIZE, 2, 8L << 30, 8,
        PolicyConfig.defaults(), 3);
    int[] clusterOf = ClusterSim.Grid.blocks(CLUSTERS, SIZE);
    // no hot cluster, a light load: every cluster has room of its own
    Workload.Trace t = Workload.skewed(800, clusterOf, 0.0, setup.capacity(), 0.3,
        Workload.Sizes.EXPONENTIAL, 30, 64L << 20, 4L << 20, 7);
    ClusterSim shared = sim(t, setup, true);
    shared.run();
    ClusterSim.CrossTraffic x = shared.crossTraffic();
    assertTrue(x.placements() + x.moves() <= t.jobs() / 50, "few crossings: " + x);
  }

  @Test
  void aGridMustNameEveryNodesCluster() {
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(6, 1, 1L << 30, 4, PolicyConfig.defaults(),
        1);
    Workload.Trace t = Workload.batch(3, 0, Workload.Sizes.EXPONENTIAL, 1, 0, 0, 1);
    assertThrows(IllegalArgumentException.class, () -> new ClusterSim(setup, t,
        ClusterSim.Strategy.DRIFT).withGrid(new ClusterSim.Grid(new int[5], true, 1e6, 1)));
  }
}
