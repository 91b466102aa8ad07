package io.drift.balancer.policy;

/**
 * One running unit as the migration policy sees it.
 *
 * @param cpuSeconds reference-speed CPU seconds it has used so far (MOSIX's predictor of what
 *     it still needs)
 * @param stateBytes the size of its last checkpoint, or an estimate: what a move would ship
 * @param memoryBytes memory it declared or was measured to hold
 * @param residencySeconds time since it started or arrived on this node
 * @param pinned whether it must not move (the user locked it, or it holds a local resource)
 * @param guest whether its home is another node
 */
public record UnitView(
    String id,
    double cpuSeconds,
    long stateBytes,
    long memoryBytes,
    double residencySeconds,
    boolean pinned,
    boolean guest) {}
