package io.drift.balancer.sim;

import io.drift.balancer.policy.PolicyConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The grid simulation (issue 8, point 5): 10 clusters of 100 nodes of mixed speeds, links
 * between clusters slower than inside them, and a skewed workload (most jobs submitted in one
 * cluster). The same seeded trace runs with the clusters sharing their nodes and with each
 * cluster working alone; the report gives both makespans, their ratio, and what crossed between
 * clusters. Progress on stderr, one line of JSON last on stdout. Run as
 * {@code bin/drift-bench grid [--quick]}.
 */
public final class GridRun {
  private GridRun() {}

  static final int CLUSTERS = 10;
  static final int NODES_PER_CLUSTER = 100;
  /** Inside a cluster: the policy's default (125 MB/s); across: a tenth of it. */
  static final double CROSS_BANDWIDTH = 12.5e6;
  /** Entries each cluster offers each partner per interval. */
  static final int CROSS_ENTRIES = 4;
  static final double HOT = 0.8;
  static final double UTILIZATION = 0.5;

  public static void main(String[] args) {
    boolean quick = args.length == 1 && args[0].equals("--quick");
    if (args.length > 1 || (args.length == 1 && !quick)) {
      System.err.println("usage: GridRun [--quick]");
      System.exit(2);
    }
    System.out.println(Json.of(run(quick)));
  }

  public static Map<String, Object> run(boolean quick) {
    return run(CLUSTERS, quick ? 20 : NODES_PER_CLUSTER, quick ? 4_000 : 20_000);
  }

  /** One comparison: the same trace shared and alone. */
  public static Map<String, Object> run(int clusters, int perCluster, int jobs) {
    PolicyConfig cfg = PolicyConfig.defaults();
    int n = clusters * perCluster;
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(n, Simulate.SLOTS, Simulate.NODE_MEMORY,
        Simulate.WINDOW, cfg, 23);
    int[] clusterOf = ClusterSim.Grid.blocks(clusters, perCluster);
    Workload.Trace trace = Workload.skewed(jobs, clusterOf, HOT, setup.capacity(), UTILIZATION,
        Workload.Sizes.PARETO, Simulate.MEAN_SIZE, Simulate.JOB_MEMORY, Simulate.JOB_STATE, 29);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("clusters", clusters);
    out.put("nodes_per_cluster", perCluster);
    out.put("jobs", jobs);
    out.put("trace", trace.name());
    out.put("cross_bandwidth_bytes_per_s", CROSS_BANDWIDTH);
    out.put("cross_entries_per_partner_per_interval", CROSS_ENTRIES);
    double[] makespan = new double[2];
    for (boolean share : new boolean[] {true, false}) {
      ClusterSim sim = new ClusterSim(setup, trace, ClusterSim.Strategy.DRIFT)
          .withGrid(new ClusterSim.Grid(clusterOf, share, CROSS_BANDWIDTH, CROSS_ENTRIES));
      ClusterSim.Result r = sim.run();
      ClusterSim.CrossTraffic x = sim.crossTraffic();
      String k = share ? "shared" : "alone";
      makespan[share ? 0 : 1] = r.makespan();
      out.put(k + "_makespan_s", r.makespan());
      out.put(k + "_mean_slowdown", r.meanSlowdown(trace, Simulate.FASTEST));
      out.put(k + "_moves", r.moves());
      out.put(k + "_cross_placements", x.placements());
      out.put(k + "_cross_moves", x.moves());
      out.put(k + "_cross_state_bytes", x.stateBytes());
      out.put(k + "_cross_gossip_entries", x.gossipEntries());
      progress("grid %d x %d, %d jobs (%s), %s: makespan %.0f s, mean slowdown %.2f, %d moves,"
              + " across: %d placements, %d moves, %.0f MB, %d gossip entries; %.1f s",
          clusters, perCluster, jobs, trace.name(), k, r.makespan(),
          r.meanSlowdown(trace, Simulate.FASTEST), r.moves(), x.placements(), x.moves(),
          x.stateBytes() / 1e6, x.gossipEntries(), r.wallSeconds());
    }
    out.put("speedup_shared_vs_alone", makespan[1] / makespan[0]);
    return out;
  }

  private static void progress(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
