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
    boolean acceptingGuests,
    long totalMemoryBytes) {

  /** Memory total unknown (0): memory then weighs in only as a hard limit. */
  public NodeLoad(String node, int slots, int runnable, int recentPlacements, double speed,
      long freeMemoryBytes, boolean acceptingGuests) {
    this(node, slots, runnable, recentPlacements, speed, freeMemoryBytes, acceptingGuests, 0);
  }

  /** Normalized load as it is now, with the placements the sample does not show yet. */
  public double load() {
    return (runnable + recentPlacements) / (slots * speed);
  }

  /** Normalized load if one more unit came: (runnable + recent + 1) / (slots * speed). */
  public double loadWithOneMore() {
    return (runnable + recentPlacements + 1) / (slots * speed);
  }

  /**
   * The speed one more unit would run at here, in reference CPUs: the node's speed while a slot
   * is free, its speed shared among the run queue once the slots are full. Ranking nodes by it
   * is ranking by {@link #loadWithOneMore} (the inverse) among full nodes, while every node with
   * a free slot scores its full speed.
   */
  public double speedWithOneMore() {
    return speed * Math.min(1.0, slots / (double) (runnable + recentPlacements + 1));
  }
}
