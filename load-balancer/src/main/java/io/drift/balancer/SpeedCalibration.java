package io.drift.balancer;

/**
 * A node's speed measured at start (MOSIX measured each node against a reference speed of
 * 10,000): a fixed integer kernel, run in short rounds on one thread; the best round counts,
 * since on a shared machine noise only ever slows a round down. The speed is the best round's
 * rate over {@link #REFERENCE_ROUNDS_PER_SECOND}, the rate of the reference node (1.0).
 *
 * <p>What it measures is one core's integer speed with the JIT warm, the kind of work the
 * units do; it does not see the number of cores (that is {@code drift.node.slots}) nor memory
 * bandwidth. Nodes of one cluster should be calibrated by the same Drift version: the kernel
 * and the reference belong together.
 */
public final class SpeedCalibration {
  private SpeedCalibration() {}

  /** Kernel iterations per round. */
  static final int ROUND = 1 << 20;

  /**
   * Rounds per second of the reference node: this project's 2-core development VM, where the
   * best round of five calibrations of 300 ms each came to 224.5 to 226.0 per second
   * (2026-11-22, Java 17 with its default JIT; a JVM limited to C1 measures slower).
   */
  static final double REFERENCE_ROUNDS_PER_SECOND = 225;

  /** Keeps the kernel's result alive, so the JIT cannot drop the work. */
  private static volatile long sink;

  /** The result of one calibration. */
  public record Result(double speed, double roundsPerSecond, int rounds, long nanos) {}

  /**
   * Runs rounds for about {@code budgetNanos} (at least 3 rounds), and returns the speed.
   */
  public static Result measure(long budgetNanos) {
    long start = System.nanoTime();
    long best = Long.MAX_VALUE;
    int rounds = 0;
    long x = start | 1;
    while (rounds < 3 || System.nanoTime() - start < budgetNanos) {
      long t0 = System.nanoTime();
      x = kernel(x);
      long t = System.nanoTime() - t0;
      best = Math.min(best, Math.max(1, t));
      rounds++;
    }
    sink = x;
    double perSecond = 1e9 / best;
    return new Result(perSecond / REFERENCE_ROUNDS_PER_SECOND, perSecond, rounds,
        System.nanoTime() - start);
  }

  /** Xorshift and multiply: integer work the JIT cannot fold, no memory traffic. */
  static long kernel(long x) {
    for (int i = 0; i < ROUND; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      x *= 0x9E3779B97F4A7C15L;
    }
    return x;
  }
}
