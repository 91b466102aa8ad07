package io.drift.balancer.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Initial placement by opportunity cost (MOSIX {@code -b}, best node): the job goes where it adds
 * least to {@link OpportunityCost} across CPU and memory, the same scores migration uses: a free
 * slot on a fast node first, then one on a slower node, before sharing a busy one. Nodes the request excludes, nodes refusing
 * guests and nodes that cannot hold the job's declared memory (keeping their reserve) are
 * dropped, with the reason. Ties go to the home (no I/O forwarded), then to the smaller name,
 * so decisions replay exactly.
 */
public final class OpportunityCostPolicy implements PlacementPolicy {

  /** Scores closer than this are equal: float noise must not break "local first". */
  static final double TIE = 1e-9;

  private final PolicyConfig cfg;

  public OpportunityCostPolicy(PolicyConfig cfg) {
    this.cfg = cfg;
  }

  @Override
  public PlacementDecision place(PlacementRequest req, List<NodeLoad> nodes) {
    List<PlacementDecision.Candidate> seen = new ArrayList<>(nodes.size());
    long need = req.memoryBytes();
    NodeLoad best = null;
    double bestScore = Double.POSITIVE_INFINITY;
    double[] scores = new double[nodes.size()];
    for (int i = 0; i < nodes.size(); i++) {
      NodeLoad n = nodes.get(i);
      String why = dropReason(req, n);
      if (why != null) {
        scores[i] = Double.NaN;
        seen.add(new PlacementDecision.Candidate(n.node(), Double.NaN, why));
        continue;
      }
      double s = score(n, need);
      scores[i] = s;
      if (best == null || s < bestScore - TIE
          || (Math.abs(s - bestScore) < TIE && better(n, best, req.home()))) {
        best = n;
        bestScore = s;
      }
    }
    if (best == null) {
      String reason = nodes.isEmpty() ? "no node has published its load yet" : "no node is fit";
      return new PlacementDecision(req.jobId(), Optional.empty(), reason, List.copyOf(seen));
    }
    for (int i = 0; i < nodes.size(); i++) {
      NodeLoad n = nodes.get(i);
      if (!Double.isNaN(scores[i])) {
        seen.add(new PlacementDecision.Candidate(n.node(), scores[i],
            n == best ? "chosen" : "costs more or lost the tie"));
      }
    }
    String reason = "least opportunity cost: " + Decimals.fixed(bestScore, 4) + " on "
        + best.node() + " (load " + Decimals.fixed(best.load(), 2) + ", speed "
        + Decimals.fixed(best.speed(), 1) + ")"
        + (best.node().equals(req.home()) ? " (home)" : "");
    return new PlacementDecision(req.jobId(), Optional.of(best.node()), reason, List.copyOf(seen));
  }

  /** The marginal opportunity cost of the job on {@code n}. */
  public double score(NodeLoad n, long memoryBytes) {
    long total = n.totalMemoryBytes();
    long used = total > 0 ? Math.max(0, total - n.freeMemoryBytes()) : 0;
    return OpportunityCost.marginal(n.runnable() + n.recentPlacements(), n.speed(), n.slots(),
        used, memoryBytes, total, cfg);
  }

  private static boolean better(NodeLoad a, NodeLoad b, String home) {
    boolean aHome = a.node().equals(home);
    boolean bHome = b.node().equals(home);
    if (aHome != bHome) {
      return aHome;
    }
    return a.node().compareTo(b.node()) < 0;
  }

  /** Why {@code n} cannot take the job, or null if it can. */
  String dropReason(PlacementRequest req, NodeLoad n) {
    if (req.excluded().contains(n.node())) {
      return "excluded: refused this job before";
    }
    if (!n.acceptingGuests() && !n.node().equals(req.home())) {
      return "does not accept guests";
    }
    long reserve = (long) (cfg.memoryLowFraction() * n.totalMemoryBytes());
    long need = req.memoryBytes();
    if (need > 0 && n.freeMemoryBytes() - need < reserve) {
      return "cannot hold it (" + n.freeMemoryBytes() / (1024 * 1024) + " MB free)";
    }
    return null;
  }
}
