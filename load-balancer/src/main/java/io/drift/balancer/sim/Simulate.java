package io.drift.balancer.sim;

import io.drift.balancer.gossip.GossipCheck;
import io.drift.balancer.policy.PolicyConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The simulator's full run (issue 4, points 1 and 2): gossip ages against the formulas; a batch
 * at N = 1,000 against the preemptive optimum; Poisson arrivals at N = 1,000 for three size
 * distributions and three utilizations against the pooled ideal and the baselines, each
 * strategy on the same seeded trace; and one Drift run at N = 10,000 with 1,000,000 jobs.
 * Progress on stderr, one line of JSON last on stdout. {@code --quick} shrinks every part for a
 * check of about a minute. Run as {@code bin/drift-bench simulate [--quick]}, or
 * {@code java -cp load-balancer/target/classes:... io.drift.balancer.sim.Simulate [--quick]}.
 */
public final class Simulate {
  private Simulate() {}

  static final int SLOTS = 2;
  static final long NODE_MEMORY = 8L << 30;
  static final long JOB_MEMORY = 64L << 20;
  static final long JOB_STATE = 4L << 20;
  static final double MEAN_SIZE = 30;
  static final int WINDOW = 16;
  static final double FASTEST = 4;

  public static void main(String[] args) {
    boolean quick = args.length == 1 && args[0].equals("--quick");
    if (args.length > 1 || (args.length == 1 && !quick)) {
      System.err.println("usage: Simulate [--quick]");
      System.exit(2);
    }
    System.out.println(Json.of(run(quick)));
  }

  public static Map<String, Object> run(boolean quick) {
    long t0 = System.nanoTime();
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> gossip = GossipCheck.run(quick);
    out.put("gossip_avg_age_max_rel_error", gossip.get("gossip_avg_age_max_rel_error"));
    out.put("gossip_max_age_over_bound", gossip.get("gossip_max_age_over_bound"));
    out.put("gossip_messages_per_node_per_interval", gossip.get("messages_per_node_per_interval"));

    PolicyConfig cfg = PolicyConfig.defaults();
    int n = 1_000;
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(n, SLOTS, NODE_MEMORY, WINDOW, cfg, 7);
    int batchJobs = quick ? 2_000 : 4_000;
    Workload.Trace batch = Workload.batch(batchJobs, 0, Workload.Sizes.PARETO, MEAN_SIZE,
        JOB_MEMORY, JOB_STATE, 11);
    double optimum = Ideal.batchOptimum(setup.slotSpeeds(), batch.size());
    Map<String, Object> batchOut = new LinkedHashMap<>();
    batchOut.put("nodes", n);
    batchOut.put("jobs", batchJobs);
    batchOut.put("optimum_s", optimum);
    for (ClusterSim.Strategy s : ClusterSim.Strategy.values()) {
      ClusterSim.Result r = new ClusterSim(setup, batch, s).run();
      batchOut.put(key(s) + "_makespan_ratio", r.makespan() / optimum);
      if (s == ClusterSim.Strategy.DRIFT) {
        out.put("batch_makespan_ratio_to_optimum", r.makespan() / optimum);
        batchOut.put("drift_migrations_per_job", (double) r.moves() / batchJobs);
      }
      progress("batch N=%d, %d Pareto jobs at one node: %-15s makespan %.1f s = %.3f x optimum"
          + " (%.1f s); %d moves; %.1f s", n, batchJobs, s, r.makespan(), r.makespan() / optimum,
          optimum, r.moves(), r.wallSeconds());
    }
    out.put("batch", batchOut);

    int poissonJobs = quick ? 10_000 : 50_000;
    Map<String, Object> poisson = new LinkedHashMap<>();
    List<ClusterSim.Strategy> compared = List.of(ClusterSim.Strategy.DRIFT,
        ClusterSim.Strategy.PLACEMENT_ONLY, ClusterSim.Strategy.HOME, ClusterSim.Strategy.RANDOM,
        ClusterSim.Strategy.ROUND_ROBIN);
    for (Workload.Sizes sizes : Workload.Sizes.values()) {
      for (double util : new double[] {0.5, 0.8, 0.95}) {
        Workload.Trace t = Workload.poisson(poissonJobs, n, setup.capacity(), util, sizes,
            MEAN_SIZE, JOB_MEMORY, JOB_STATE, 13);
        double ideal = ClusterSim.meanSlowdown(Ideal.pooledFinish(setup.slotSpeeds(), t), t,
            FASTEST);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("ideal_slowdown", ideal);
        double drift = 0;
        double placementOnly = 0;
        for (ClusterSim.Strategy s : compared) {
          ClusterSim.Result r = new ClusterSim(setup, t, s).run();
          double sd = r.meanSlowdown(t, FASTEST);
          c.put(key(s) + "_slowdown", sd);
          if (s == ClusterSim.Strategy.DRIFT) {
            drift = sd;
            c.put("drift_migrations_per_job", (double) r.moves() / poissonJobs);
          } else if (s == ClusterSim.Strategy.PLACEMENT_ONLY) {
            placementOnly = sd;
          }
          progress("%s, N=%d, %d jobs: %-15s mean slowdown %.3f (%.2f x ideal %.3f); %d moves;"
              + " %.1f s", t.name(), n, poissonJobs, s, sd, sd / ideal, ideal, r.moves(),
              r.wallSeconds());
        }
        c.put("drift_ratio_to_ideal", drift / ideal);
        c.put("drift_gain_vs_placement_only", 1 - drift / placementOnly);
        poisson.put(t.name(), c);
        if (sizes == Workload.Sizes.PARETO && util == 0.8) {
          out.put("poisson_slowdown_ratio_to_ideal", drift / ideal);
          out.put("poisson_gain_vs_placement_only", 1 - drift / placementOnly);
        }
      }
    }
    out.put("poisson", poisson);

    int bigN = quick ? 2_000 : 10_000;
    int bigJobs = quick ? 100_000 : 1_000_000;
    ClusterSim.Setup big = ClusterSim.Setup.mixed(bigN, SLOTS, NODE_MEMORY, WINDOW, cfg, 17);
    Workload.Trace bigTrace = Workload.poisson(bigJobs, bigN, big.capacity(), 0.8,
        Workload.Sizes.PARETO, MEAN_SIZE, JOB_MEMORY, JOB_STATE, 19);
    ClusterSim.Result r = new ClusterSim(big, bigTrace, ClusterSim.Strategy.DRIFT).run();
    double bigIdeal = ClusterSim.meanSlowdown(Ideal.pooledFinish(big.slotSpeeds(), bigTrace),
        bigTrace, FASTEST);
    Map<String, Object> scale = new LinkedHashMap<>();
    scale.put("nodes", bigN);
    scale.put("jobs", bigJobs);
    scale.put("drift_slowdown", r.meanSlowdown(bigTrace, FASTEST));
    scale.put("ideal_slowdown", bigIdeal);
    scale.put("drift_migrations_per_job", (double) r.moves() / bigJobs);
    scale.put("wall_s", r.wallSeconds());
    progress("scale: %s, N=%d, %d jobs: DRIFT mean slowdown %.3f (ideal %.3f); %.1f s", bigTrace
        .name(), bigN, bigJobs, r.meanSlowdown(bigTrace, FASTEST), bigIdeal, r.wallSeconds());
    out.put("scale", scale);
    out.put("gossip", gossip);
    out.put("wall_s", (System.nanoTime() - t0) / 1e9);
    return out;
  }

  private static String key(ClusterSim.Strategy s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  private static void progress(String format, Object... args) {
    System.err.println(String.format(Locale.ROOT, format, args));
  }
}
