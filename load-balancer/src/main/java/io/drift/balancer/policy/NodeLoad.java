package io.drift.balancer.policy;

/**
 * What the placement policy knows of one candidate node: its last sample, plus the placements
 * this node made there since that sample was taken.
 */
public record NodeLoad(
    String node,
    int slots,
    int runnable,
    int recentPlacements,
    double speed,
    long freeMemoryBytes,
    boolean acceptingGuests) {

  /** Normalized load if one more unit came: (runnable + recent + 1) / (slots * speed). */
  public double loadWithOneMore() {
    return (runnable + recentPlacements + 1) / (slots * speed);
  }
}
