package io.drift.balancer.policy;

/**
 * The arithmetic of MOSIX's migration decision (MOSIX-NOTES, Migration decisions), as pure
 * functions for the balancer and the simulator alike: a unit moves only if the target stays
 * clearly less loaded with it, and the time it is expected to save beats what moving costs.
 */
public final class MosixRule {
  private MosixRule() {}

  /** "About 1.3 process-loads": the margin that keeps equal nodes from trading units. */
  public static final double MARGIN_UNITS = 1.3;

  /**
   * MOSIX's load test: the target's load plus {@link #MARGIN_UNITS} times the load one unit adds
   * there is still below the local load (all normalized, as {@link SmoothedLoad#normalize}).
   */
  public static boolean loadAllows(double localLoad, double targetLoad, double unitLoadAtTarget) {
    return targetLoad + MARGIN_UNITS * unitLoadAtTarget < localLoad;
  }

  /**
   * Seconds a move is expected to save, summed over the units it touches. With heavy-tailed run
   * times the best guess of the work a unit still needs is what it has done so far (MOSIX's
   * predictor), so a unit that just started is expected to save little, and an old one much; for
   * that long, the units here are spared {@code reliefHere} seconds per unit of work and those
   * there burdened with {@code burdenThere} ({@link #relief}, {@link #burden}). A unit alone on a
   * slot saves {@code work/localRate − work/targetRate}; one that leaves a shared node also saves
   * the time its neighbours spent waiting for it.
   */
  public static double expectedGainSeconds(double cpuSecondsSoFar, double reliefHere,
      double burdenThere) {
    if (cpuSecondsSoFar < 0 || !(reliefHere >= 0) || !(burdenThere >= 0)) {
      throw new IllegalArgumentException("cpu >= 0, relief >= 0, burden >= 0");
    }
    return cpuSecondsSoFar * (reliefHere - burdenThere);
  }

  /** Seconds a move stops a unit: its state over the measured bandwidth, plus a fixed part. */
  public static double moveCostSeconds(long stateBytes, double bytesPerSecond, double fixedSeconds) {
    if (stateBytes < 0 || !(bytesPerSecond > 0) || fixedSeconds < 0) {
      throw new IllegalArgumentException("bytes >= 0, bandwidth > 0, fixed >= 0");
    }
    return stateBytes / bytesPerSecond + fixedSeconds;
  }

  /**
   * Seconds a unit needs per reference-speed second of work on a node with this run queue (the
   * unit included): {@code max(1, runQueue/slots)/speed}, the inverse of {@link #unitRate}. On a
   * node of one slot it is MOSIX's load, the run queue over the speed; with more slots a free
   * slot runs a unit at the node's speed, and no faster.
   */
  public static double unitTime(double runQueue, double speed, int slots) {
    if (!(speed > 0) || slots < 1 || !(runQueue >= 0)) {
      throw new IllegalArgumentException("speed > 0, slots >= 1, run queue >= 0");
    }
    return Math.max(1.0, runQueue / slots) / speed;
  }

  /**
   * The CPU opportunity cost that leaves a node of {@code runQueue} units when one of them goes:
   * {@code cpu(r) − cpu(r − 1)} of {@link OpportunityCost#cpu}, in seconds per unit of work. On a
   * node that is not full it is the leaving unit's own time, {@code 1/speed}; on a shared node
   * its neighbours' waiting comes off too.
   */
  public static double relief(double runQueue, double speed, int slots) {
    double r = Math.max(1, runQueue);
    return OpportunityCost.cpu(r, speed, slots) - OpportunityCost.cpu(r - 1, speed, slots);
  }

  /** The CPU opportunity cost one more unit adds to a node of {@code runQueue} units. */
  public static double burden(double runQueue, double speed, int slots) {
    return OpportunityCost.cpu(runQueue + 1, speed, slots)
        - OpportunityCost.cpu(runQueue, speed, slots);
  }

  /**
   * MOSIX's load test in opportunity cost, for nodes with slots and speeds: a unit moves only if
   * what it adds at the target, counted as if {@code margin} units came instead of one (the
   * target's run queue plus {@code margin − 1}, then one more), is less than what its leaving
   * takes off here. On nodes of one slot and equal speed, with whole run queues, this is exactly
   * {@link #loadAllows}: {@code (2(r + margin) − 1)/s < (2l − 1)/s} is {@code r + margin < l}
   * (tested). Across speeds and
   * slots it also lets a unit off a shared fast node to a free slower slot when its neighbours
   * gain more than it loses, which a unit-by-unit test never allows (decision 0009). The cost is
   * convex in the run queue, so a move it allows is never allowed back.
   */
  public static boolean allowsMove(double localRunQueue, double localSpeed, int localSlots,
      double targetRunQueue, double targetSpeed, int targetSlots, double margin) {
    return burden(targetRunQueue + margin - 1, targetSpeed, targetSlots)
        < relief(localRunQueue, localSpeed, localSlots);
  }

}
