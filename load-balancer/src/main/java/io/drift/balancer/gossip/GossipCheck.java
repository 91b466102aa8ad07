package io.drift.balancer.gossip;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gossip ages in the simulator against the paper's formulas (issue 4, point 1): N = 100, 1,000
 * and 10,000 (with {@code --quick}: not 10,000), W = 8, 16 and 32. Each case runs 1.5 expected
 * maximal ages to settle, then measures every 1/20 of one for half of one more. Ages are
 * averaged over the vectors of up to {@link #OBSERVERS} nodes (all of them up to N = 1,000).
 */
public final class GossipCheck {
  private GossipCheck() {}

  static final int OBSERVERS = 1_000;

  /** The cases, as a map for the JSON summary; progress on stderr. */
  public static Map<String, Object> run(boolean quick) {
    long t0 = System.nanoTime();
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> cases = new LinkedHashMap<>();
    double worstError = 0;
    int overBound = 0;
    long minSent = Long.MAX_VALUE;
    long maxSent = 0;
    List<Integer> sizes = quick ? List.of(100, 1_000) : List.of(100, 1_000, 10_000);
    for (int n : sizes) {
      for (int w : List.of(8, 16, 32)) {
        double av = GossipFormulas.averageAge(n, w);
        double m = GossipFormulas.maximalAge(n, w);
        int every = Math.max(1, (int) (m / 20));
        // ages over (up to) 1,000 observers' whole vectors; the windows of all n are exact
        GossipSim sim = new GossipSim(n, w, 20261122L + n + w, Math.min(n, OBSERVERS), 0);
        GossipSim.Ages ages = sim.measure((int) Math.ceil(1.5 * m), 10, every);
        double errAvg = Math.abs(ages.average() - av) / av;
        double errMax = Math.abs(ages.meanMaximum() - m) / m;
        worstError = Math.max(worstError, Math.max(errAvg, errMax));
        int bound = 4 * n; // infod: an entry older than 4·N intervals marks its node as gone
        if (ages.maximum() > bound) {
          overBound++;
        }
        for (int i = 0; i < n; i++) { // per interval: every node sent as many as steps ran
          minSent = Math.min(minSent, sim.sent(i) - sim.step());
          maxSent = Math.max(maxSent, sim.sent(i) - sim.step());
        }
        System.err.printf("N=%d W=%d: average age %.1f (formula %.1f, %+.0f%%), maximal %.1f"
                + " (formula %.1f, %+.0f%%), largest seen %d (bound %d), %d steps%n", n, w,
            ages.average(), av, 100 * (ages.average() - av) / av, ages.meanMaximum(), m,
            100 * (ages.meanMaximum() - m) / m, ages.maximum(), bound, sim.step());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("avg_age", ages.average());
        c.put("avg_age_formula", av);
        c.put("max_age", ages.meanMaximum());
        c.put("max_age_formula", m);
        c.put("largest_age", ages.maximum());
        cases.put("n" + n + "_w" + w, c);
      }
    }
    out.put("gossip_avg_age_max_rel_error", worstError);
    out.put("gossip_max_age_over_bound", overBound);
    out.put("messages_per_node_per_interval", minSent == 0 && maxSent == 0 ? 1 : -1);
    out.put("cases", cases);
    out.put("wall_s", (System.nanoTime() - t0) / 1e9);
    return out;
  }
}
