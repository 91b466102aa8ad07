package io.drift.balancer.policy;

/**
 * One entry of the information window as the policy sees it: what a peer last said of itself,
 * and how old that is.
 *
 * @param runQueue the peer's exported run queue ({@link SmoothedLoad#exported()}: it rises at
 *     once and decays slowly), plus the units this node sent it that its sample does not show
 * @param ageIntervals gossip intervals since the peer took the sample
 * @param bandwidthBytesPerSecond how fast a state reaches the peer; 0: the configured bandwidth
 */
public record PeerView(
    String node,
    double speed,
    int slots,
    double runQueue,
    long freeMemoryBytes,
    long totalMemoryBytes,
    boolean acceptsGuests,
    int ageIntervals,
    double bandwidthBytesPerSecond) {

  /** A peer reached at the configured bandwidth (one cluster). */
  public PeerView(String node, double speed, int slots, double runQueue, long freeMemoryBytes,
      long totalMemoryBytes, boolean acceptsGuests, int ageIntervals) {
    this(node, speed, slots, runQueue, freeMemoryBytes, totalMemoryBytes, acceptsGuests,
        ageIntervals, 0);
  }

  /** Normalized load: run queue per slot per unit of speed. */
  public double load() {
    return runQueue / (speed * slots);
  }

  /**
   * Bytes per second a state travels at to this peer: its own (a peer in another cluster, over
   * a slower link) when known, else the configured one.
   */
  public double bandwidth(PolicyConfig cfg) {
    return bandwidthBytesPerSecond > 0 ? bandwidthBytesPerSecond : cfg.bandwidthBytesPerSecond();
  }
}
