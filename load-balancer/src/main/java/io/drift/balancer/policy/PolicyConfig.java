package io.drift.balancer.policy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * The knobs of the placement and migration policy ({@code drift.balancer.policy}).
 *
 * @param marginUnits MOSIX's "about 1.3 process-loads": a target must stay this many unit-loads
 *     below the local load with the unit on it
 * @param minResidencySeconds a unit stays at least this long where it arrived before it may move
 *     again for load (memory ushering does not wait)
 * @param subsetSize peers of the window one decision looks at, drawn at random (against herding)
 * @param bandwidthBytesPerSecond measured transfer rate, for the cost of a move
 * @param fixedMoveSeconds the part of a move's pause that does not depend on the state size
 * @param memoryLowFraction a node whose free memory is below this share of its total sheds units
 *     (memory ushering), and a target must keep this share free after taking one
 * @param costBase the base {@code a} of the opportunity cost {@code a^u} per resource
 * @param maxAgeIntervals window entries older than this (in gossip intervals) are not used
 */
public record PolicyConfig(
    double marginUnits,
    double minResidencySeconds,
    int subsetSize,
    double bandwidthBytesPerSecond,
    double fixedMoveSeconds,
    double memoryLowFraction,
    double costBase,
    int maxAgeIntervals) {

  public PolicyConfig {
    if (!(marginUnits >= 0) || !(minResidencySeconds >= 0) || subsetSize < 1
        || !(bandwidthBytesPerSecond > 0) || !(fixedMoveSeconds >= 0)
        || !(memoryLowFraction >= 0 && memoryLowFraction < 1) || !(costBase > 1)
        || maxAgeIntervals < 1) {
      throw new IllegalArgumentException("bad policy settings: " + toStringOf(marginUnits,
          minResidencySeconds, subsetSize, bandwidthBytesPerSecond, fixedMoveSeconds,
          memoryLowFraction, costBase, maxAgeIntervals));
    }
  }

  private static String toStringOf(Object... values) {
    return java.util.Arrays.toString(values)
        + " (need margin >= 0, residency >= 0, subset >= 1, bandwidth > 0, fixed >= 0,"
        + " 0 <= memory-low < 1, cost-base > 1, max-age >= 1)";
  }

  /** MOSIX's constants, and this machine's measured side-channel bandwidth rounded down. */
  public static PolicyConfig defaults() {
    return new PolicyConfig(MosixRule.MARGIN_UNITS, 2.0, 4, 200.0 * (1 << 20), 0.01, 0.1,
        16, 64);
  }

  public PolicyConfig withMinResidencySeconds(double s) {
    return new PolicyConfig(marginUnits, s, subsetSize, bandwidthBytesPerSecond,
        fixedMoveSeconds, memoryLowFraction, costBase, maxAgeIntervals);
  }

  public PolicyConfig withSubsetSize(int k) {
    return new PolicyConfig(marginUnits, minResidencySeconds, k, bandwidthBytesPerSecond,
        fixedMoveSeconds, memoryLowFraction, costBase, maxAgeIntervals);
  }

  public PolicyConfig withBandwidth(double bytesPerSecond) {
    return new PolicyConfig(marginUnits, minResidencySeconds, subsetSize, bytesPerSecond,
        fixedMoveSeconds, memoryLowFraction, costBase, maxAgeIntervals);
  }

  /** From {@code drift.balancer.policy}. */
  public static PolicyConfig fromConfig(Config root) {
    Config c = root.getConfig("drift.balancer.policy");
    try {
      return new PolicyConfig(c.getDouble("margin-units"),
          c.getDuration("min-residency").toNanos() / 1e9, c.getInt("subset-size"),
          c.getMemorySize("bandwidth-per-second").toBytes(),
          c.getDuration("fixed-move-cost").toNanos() / 1e9, c.getDouble("memory-low-fraction"),
          c.getDouble("cost-base"), c.getInt("max-age-intervals"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue("drift.balancer.policy", e.getMessage());
    }
  }
}
