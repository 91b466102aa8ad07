package io.drift.balancer.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The first placement rule: least normalized load, local first when equal. "Load" is counted as
 * a new unit would feel it: every node with a free slot would run it at that node's full speed,
 * so among those the fastest wins and, at equal speed, the home (no I/O forwarded); once slots
 * are full, the node whose normalized load would be least with the unit on it wins. Remaining
 * ties go to the smaller node name, so decisions replay exactly. Nodes the request excludes,
 * nodes refusing guests and nodes without the declared memory are dropped, with the reason.
 * See docs/decisions/0003-first-placement-rule.md.
 */
public final class LeastLoadPolicy implements PlacementPolicy {

  /** Loads closer than this are equal: float noise must not break "local first". */
  static final double TIE = 1e-9;

  @Override
  public PlacementDecision place(PlacementRequest req, List<NodeLoad> nodes) {
    List<PlacementDecision.Candidate> seen = new ArrayList<>();
    List<NodeLoad> fit = new ArrayList<>();
    for (NodeLoad n : nodes) {
      String why = dropReason(req, n);
      if (why == null) {
        fit.add(n);
      } else {
        seen.add(new PlacementDecision.Candidate(n.node(), Double.NaN, why));
      }
    }
    if (fit.isEmpty()) {
      String reason = nodes.isEmpty() ? "no node has published its load yet" : "no node is fit";
      return new PlacementDecision(req.jobId(), Optional.empty(), reason, List.copyOf(seen));
    }
    NodeLoad best = fit.get(0);
    for (NodeLoad n : fit) {
      if (better(n, best, req.home())) {
        best = n;
      }
    }
    for (NodeLoad n : fit) {
      seen.add(new PlacementDecision.Candidate(
          n.node(), n.speedWithOneMore(), n == best ? "chosen" : "slower or lost the tie"));
    }
    String reason = "fastest for one more unit: " + Decimals.fixed(best.speedWithOneMore(), 3)
        + " reference CPUs on " + best.node() + (best.node().equals(req.home()) ? " (home)" : "");
    return new PlacementDecision(req.jobId(), Optional.of(best.node()), reason, List.copyOf(seen));
  }

  /** Higher speed for one more unit wins; at equal speed the home, then the smaller name. */
  private static boolean better(NodeLoad a, NodeLoad b, String home) {
    double d = a.speedWithOneMore() - b.speedWithOneMore();
    if (Math.abs(d) >= TIE) {
      return d > 0;
    }
    boolean aHome = a.node().equals(home);
    boolean bHome = b.node().equals(home);
    if (aHome != bHome) {
      return aHome;
    }
    return a.node().compareTo(b.node()) < 0;
  }

  private static String dropReason(PlacementRequest req, NodeLoad n) {
    if (req.excluded().contains(n.node())) {
      return "excluded: refused this job before";
    }
    if (!n.acceptingGuests() && !n.node().equals(req.home())) {
      return "does not accept guests";
    }
    if (req.memoryMb() > 0 && n.freeMemoryBytes() < req.memoryBytes()) {
      return "not enough free memory (" + n.freeMemoryBytes() / (1024 * 1024) + " MB free)";
    }
    return null;
  }
}
