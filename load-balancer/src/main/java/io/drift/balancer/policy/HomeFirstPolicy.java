package io.drift.balancer.policy;

import java.util.List;
import java.util.Optional;

/**
 * A job starts at its home while the home has a free slot (MOSIX {@code -h}), and by
 * opportunity cost otherwise; the balancer moves it later if it lives long enough to gain by
 * a move. Most jobs end young, and a job that ends at home never pays for the trip to a host
 * and back: in workload (a) of issue 9 that trip was half of the CPU per placement
 * (docs/performance.md). A home that cannot take the job (it refused it, or lacks the
 * memory) leaves it to the cost policy. The home's load must be fresh for this to hold under
 * a burst: the balancer gives its own node's live run queue, not its last sample.
 */
public final class HomeFirstPolicy implements PlacementPolicy {

  private final OpportunityCostPolicy cost;

  public HomeFirstPolicy(OpportunityCostPolicy cost) {
    this.cost = cost;
  }

  /** A burst must see the home's slots fill as it places, not at the next sample. */
  @Override
  public boolean wantsOwnNodeLive() {
    return true;
  }

  @Override
  public PlacementDecision place(PlacementRequest req, List<NodeLoad> nodes) {
    NodeLoad home = nodes.stream().filter(n -> n.node().equals(req.home())).findFirst()
        .orElse(null);
    if (home == null) {
      return cost.place(req, nodes); // nothing known of its slots
    }
    int queued = home.runnable() + home.recentPlacements();
    if (queued < home.slots() && cost.dropReason(req, home) == null) {
      return new PlacementDecision(req.jobId(), Optional.of(home.node()),
          "a free slot at home (" + queued + " of " + home.slots() + " taken)",
          List.of(new PlacementDecision.Candidate(home.node(), home.speed(), "chosen")));
    }
    return cost.place(req, nodes);
  }
}
