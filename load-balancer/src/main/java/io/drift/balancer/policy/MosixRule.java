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
   * Reference-speed CPU seconds per second a unit gets on a node of this speed and slots with
   * {@code runnable} units (itself included): a slot each while there are enough, else a share.
   */
  public static double unitRate(double speed, int slots, int runnable) {
    if (!(speed > 0) || slots < 1 || runnable < 1) {
      throw new IllegalArgumentException("speed > 0, slots >= 1, runnable >= 1");
    }
    return speed * Math.min(1.0, (double) slots / runnable);
  }

  /**
   * Seconds a unit is expected to save by moving. With heavy-tailed run times the best guess of
   * the CPU a unit still needs is what it has used so far (MOSIX's predictor), so a unit that
   * just started is expected to save little, and an old one much.
   */
  public static double expectedGainSeconds(double cpuSecondsSoFar, double localRate,
      double targetRate) {
    if (cpuSecondsSoFar < 0 || !(localRate > 0) || !(targetRate > 0)) {
      throw new IllegalArgumentException("cpu >= 0 and rates > 0");
    }
    return cpuSecondsSoFar / localRate - cpuSecondsSoFar / targetRate;
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
   * MOSIX's load test for nodes with slots: a unit moves only if it would still go faster at the
   * target with {@code margin} units more there than itself (the target's run queue plus
   * {@code 1 + margin − 1}, that is plus {@code margin}), than it goes here. On one-slot nodes
   * this is {@link #loadAllows}; the margin keeps equal nodes from trading units, and a move it
   * allows is never allowed back.
   */
  public static boolean allowsMove(double localRunQueue, double localSpeed, int localSlots,
      double targetRunQueue, double targetSpeed, int targetSlots, double margin) {
    return unitTime(targetRunQueue + margin, targetSpeed, targetSlots)
        < unitTime(localRunQueue, localSpeed, localSlots);
  }

  /** Both tests: the load allows the move, and the expected gain beats its cost. */
  public static boolean worthMoving(double localLoad, double targetLoad, double unitLoadAtTarget,
      double gainSeconds, double costSeconds) {
    return loadAllows(localLoad, targetLoad, unitLoadAtTarget) && gainSeconds > costSeconds;
  }
}
