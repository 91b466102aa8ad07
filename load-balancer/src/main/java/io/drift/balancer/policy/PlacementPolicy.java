package io.drift.balancer.policy;

import java.util.List;

/**
 * Chooses a node for a new job. Pure: the same request and candidates give the same decision,
 * so the balancer actor, tests and the simulator can all call it. The MOSIX opportunity-cost
 * policy will implement this interface.
 */
public interface PlacementPolicy {

  PlacementDecision place(PlacementRequest request, List<NodeLoad> candidates);
}
