package io.drift.balancer.policy;

/**
 * Opportunity cost (Amir, Awerbuch, Barak, Borgstrom, Keren, IEEE TPDS 2000): each resource of a
 * node costs a convex function of its use, and a unit goes where it raises the sum least, so a
 * nearly full resource costs far more than its share and CPU and memory trade on one scale.
 *
 * <p>Memory costs {@code a^u}, u the share in use, as in the paper. CPU costs the time its units
 * need per unit of work, summed over them: {@code r·max(1, r/slots)/speed} for r units. Adding a
 * unit to a free slot costs {@code 1/speed}; sharing full slots costs {@code (2r+1)/(slots·speed)},
 * what the newcomer needs plus what it takes from the others. The paper's {@code a^u} in slot
 * occupancy cannot do this with slots: with two slots no base both prefers a free slot on any
 * node to a shared one and, among free slots, the faster node (see decision 0009).
 */
public final class OpportunityCost {
  private OpportunityCost() {}

  /** The CPU cost of a node running {@code runQueue} units. */
  public static double cpu(double runQueue, double speed, int slots) {
    return runQueue * Math.max(1.0, runQueue / slots) / speed;
  }

  /**
   * What one more unit adds to a node's cost.
   *
   * @param runQueue units running or waiting there without this one
   * @param usedMemory bytes in use without the unit
   * @param unitMemory bytes the unit needs
   * @param totalMemory the node's bytes; 0 if unknown (no memory term)
   */
  public static double marginal(double runQueue, double speed, int slots, long usedMemory,
      long unitMemory, long totalMemory, PolicyConfig cfg) {
    double cpu = cpu(runQueue + 1, speed, slots) - cpu(runQueue, speed, slots);
    if (totalMemory <= 0 || unitMemory <= 0) {
      return cpu;
    }
    double a = cfg.costBase();
    double mem = Math.pow(a, (double) (usedMemory + unitMemory) / totalMemory)
        - Math.pow(a, (double) usedMemory / totalMemory);
    return cpu + mem;
  }

  /** The marginal cost of one more unit of {@code unitMemory} bytes on {@code peer}. */
  public static double marginal(PeerView peer, long unitMemory, PolicyConfig cfg) {
    return marginal(peer.runQueue(), peer.speed(), peer.slots(),
        peer.totalMemoryBytes() - peer.freeMemoryBytes(), unitMemory, peer.totalMemoryBytes(),
        cfg);
  }
}
