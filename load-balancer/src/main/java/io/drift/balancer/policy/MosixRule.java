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

  /** Both tests: the load allows the move, and the expected gain beats its cost. */
  public static boolean worthMoving(double localLoad, double targetLoad, double unitLoadAtTarget,
      double gainSeconds, double costSeconds) {
    return loadAllows(localLoad, targetLoad, unitLoadAtTarget) && gainSeconds > costSeconds;
  }
}
