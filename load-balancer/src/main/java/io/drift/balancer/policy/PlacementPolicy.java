package io.drift.balancer.policy;

import java.util.List;

/**
 * Chooses a node for a new job. Pure: the same request and candidates give the same decision,
 * so the balancer actor, tests and the simulator can all call it. The MOSIX opportunity-cost
 * policy will implement this interface.
 */
public interface PlacementPolicy {

  PlacementDecision place(PlacementRequest request, List<NodeLoad> candidates);

  /**
   * Whether the balancer should give this policy its own node's run queue as the executor has
   * it now, not as its last sample said; false keeps the sampled view the cost rule was
   * measured with (decision 0035).
   */
  default boolean wantsOwnNodeLive() {
    return false;
  }
}
