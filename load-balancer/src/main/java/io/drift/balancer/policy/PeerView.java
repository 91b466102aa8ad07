package io.drift.balancer.policy;

/**
 * One entry of the information window as the policy sees it: what a peer last said of itself,
 * and how old that is.
 *
 * @param runQueue the peer's exported run queue ({@link SmoothedLoad#exported()}: it rises at
 *     once and decays slowly), plus the units this node sent it that its sample does not show
 * @param ageIntervals gossip intervals since the peer took the sample
 */
public record PeerView(
    String node,
    double speed,
    int slots,
    double runQueue,
    long freeMemoryBytes,
    long totalMemoryBytes,
    boolean acceptsGuests,
    int ageIntervals) {

  /** Normalized load: run queue per slot per unit of speed. */
  public double load() {
    return runQueue / (speed * slots);
  }
}
