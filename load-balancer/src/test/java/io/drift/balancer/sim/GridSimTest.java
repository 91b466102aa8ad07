package io.drift.balancer.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.balancer.grid.PartnerTable;
import io.drift.balancer.policy.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** Three clusters of ten; cluster 0 gets 95% of a load that is twice what it can run. */
  static Workload.Trace hot(ClusterSim.Setup setup, int[] clusterOf) {
    return Workload.skewed(1_200, clusterOf, 0.95, setup.capacity(), 0.6,
        Workload.Sizes.EXPONENTIAL, 30, 64L << 20, 4L << 20, 11);
  }

  static PartnerTable table(int self, Map<String, PartnerTable.Partner> partners) {
    return new PartnerTable(ClusterSim.Grid.name(self), partners);
  }

  @Test
  void aPartnerThatTakesNoGuestsNeverGetsOneAndLimitsAndPrioritiesHold() {
    int[] clusterOf = ClusterSim.Grid.blocks(3, SIZE);
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(3 * SIZE, 2, 8L << 30, 8,
        PolicyConfig.defaults(), 3);
    Workload.Trace t = hot(setup, clusterOf);
    // c0 may send to c1 (priority 1) and c2 (priority 2); c1 takes at most 6 of c0's jobs at
    // once; c2 takes none of c0's, idle as it is
    PartnerTable[] tables = {
        table(0, Map.of("c1", new PartnerTable.Partner(1, true, true, 100),
            "c2", new PartnerTable.Partner(2, true, true, 100))),
        table(1, Map.of("c0", new PartnerTable.Partner(1, true, true, 6))),
        table(2, Map.of("c0", new PartnerTable.Partner(1, true, false, 100)))};
    List<Integer> crossedTo = new ArrayList<>();
    int[] most = new int[1];
    ClusterSim sim = new ClusterSim(setup, t, ClusterSim.Strategy.DRIFT)
        .withGrid(new ClusterSim.Grid(clusterOf, tables, 12.5e6, 2));
    sim.observe((time, job, node, x) -> {
      if (clusterOf[node] != clusterOf[t.home()[job]]) {
        crossedTo.add(clusterOf[node]);
      }
      most[0] = Math.max(most[0], x.guestsIn(1, 0));
    });
    sim.run();
    assertTrue(crossedTo.contains(1), "c1 took some of c0's jobs");
    assertTrue(!crossedTo.contains(2), "c2 takes none of c0's jobs, and got none");
    assertTrue(most[0] <= 6, "c1 held " + most[0] + " of c0's jobs at once, above its 6");
    assertEquals(6, most[0], "c1 filled to its limit");
  }

  @Test
  void theLowerPriorityNumberGetsTheWorkFirst() {
    int[] clusterOf = ClusterSim.Grid.blocks(3, SIZE);
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(3 * SIZE, 2, 8L << 30, 8,
        PolicyConfig.defaults(), 3);
    Workload.Trace t = hot(setup, clusterOf);
    PartnerTable[] tables = {
        table(0, Map.of("c1", new PartnerTable.Partner(2, true, true, 1000),
            "c2", new PartnerTable.Partner(1, true, true, 1000))),
        table(1, Map.of("c0", new PartnerTable.Partner(1, true, true, 1000))),
        table(2, Map.of("c0", new PartnerTable.Partner(1, true, true, 1000)))};
    List<Integer> crossedTo = new ArrayList<>();
    ClusterSim sim = new ClusterSim(setup, t, ClusterSim.Strategy.DRIFT)
        .withGrid(new ClusterSim.Grid(clusterOf, tables, 12.5e6, 2));
    sim.observe((time, job, node, x) -> {
      if (clusterOf[node] != clusterOf[t.home()[job]]) {
        crossedTo.add(clusterOf[node]);
      }
    });
    sim.run();
    long toC2 = crossedTo.stream().filter(c -> c == 2).count();
    long toC1 = crossedTo.stream().filter(c -> c == 1).count();
    // c2 first as far as its offers go: it offers 2 nodes an interval, and once those are full
    // as c0 knows, c1's are next, so c1 gets some, c2 most
    assertTrue(toC2 >= 2 * toC1, "c2 (priority 1) got " + toC2 + ", c1 (priority 2) " + toC1);
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
