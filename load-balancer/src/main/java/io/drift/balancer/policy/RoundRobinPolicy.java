package io.drift.balancer.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A baseline for benchmarks, not for use: each placement takes the next node, in name order,
 * of those that take guests. Not pure (it counts), unlike the real policies.
 */
public final class RoundRobinPolicy implements PlacementPolicy {

  private long next;

  @Override
  public PlacementDecision place(PlacementRequest req, List<NodeLoad> nodes) {
    List<NodeLoad> fit = new ArrayList<>();
    for (NodeLoad n : nodes) {
      if (!req.excluded().contains(n.node())
          && (n.acceptingGuests() || n.node().equals(req.home()))) {
        fit.add(n);
      }
    }
    if (fit.isEmpty()) {
      return new PlacementDecision(req.jobId(), Optional.empty(), "no node is fit", List.of());
    }
    fit.sort(Comparator.comparing(NodeLoad::node));
    NodeLoad n = fit.get((int) (next++ % fit.size()));
    return new PlacementDecision(req.jobId(), Optional.of(n.node()), "round-robin: " + n.node(),
        List.of());
  }
}
