package io.drift.balancer.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded trace of jobs for the simulator: when each arrives, at which node (its home), and how
 * much work it is, in reference-speed seconds. Every strategy of one comparison runs the same
 * trace.
 */
public final class Workload {

  /** Job size distributions, all with the same mean. */
  public enum Sizes {
    /** Memoryless. */
    EXPONENTIAL,
    /** Heavy-tailed: bounded Pareto, shape 1.5, largest 100 times the smallest. */
    PARETO,
    /** Nine in ten short (mean/3), one in ten long (7 times the mean), both exponential. */
    BIMODAL;

    /** One size with mean {@code mean}. */
    double draw(SplittableRandom r, double mean) {
      return switch (this) {
        case EXPONENTIAL -> -mean * Math.log(1 - r.nextDouble());
        case PARETO -> boundedPareto(r, PARETO_SHAPE, PARETO_SPREAD) * mean / PARETO_MEAN;
        case BIMODAL -> -mean * (r.nextDouble() < 0.9 ? 1.0 / 3 : 7.0) * Math.log(1 - r.nextDouble());
      };
    }
  }

  static final double PARETO_SHAPE = 1.5;
  static final double PARETO_SPREAD = 100;
  /** Mean of the bounded Pareto on [1, spread] with the shape above. */
  static final double PARETO_MEAN = PARETO_SHAPE / (PARETO_SHAPE - 1)
      * (1 - Math.pow(PARETO_SPREAD, 1 - PARETO_SHAPE))
      / (1 - Math.pow(PARETO_SPREAD, -PARETO_SHAPE));

  /** Inverse-CDF draw from the Pareto of this shape bounded to [1, hi]. */
  static double boundedPareto(SplittableRandom r, double shape, double hi) {
    double u = r.nextDouble();
    double tail = Math.pow(hi, -shape);
    return Math.pow(1 - u * (1 - tail), -1 / shape);
  }

  /**
   * @param arrival seconds, ascending
   * @param home the node each job is submitted at
   * @param size work in reference-speed seconds
   * @param memoryBytes what each job declares and holds
   * @param stateBytes what moving it ships
   */
  public record Trace(String name, double[] arrival, int[] home, double[] size,
      long[] memoryBytes, long[] stateBytes) {

    public int jobs() {
      return size.length;
    }

    public double totalWork() {
      return Arrays.stream(size).sum();
    }
  }

  private Workload() {}

  /** {@code jobs} jobs released together at time 0 at node {@code home}. */
  public static Trace batch(int jobs, int home, Sizes sizes, double mean, long memory, long state,
      long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] size = new double[jobs];
    for (int j = 0; j < jobs; j++) {
      size[j] = sizes.draw(r, mean);
    }
    int[] homes = new int[jobs];
    Arrays.fill(homes, home);
    return new Trace("batch-" + sizes.name().toLowerCase(), new double[jobs], homes, size,
        filled(jobs, memory), filled(jobs, state));
  }

  /**
   * {@code jobs} jobs arriving as a Poisson process at uniformly random nodes, at the rate that
   * loads {@code capacity} (reference-speed seconds per second) to {@code utilization}.
   */
  public static Trace poisson(int jobs, int nodes, double capacity, double utilization,
      Sizes sizes, double mean, long memory, long state, long seed) {
    if (!(utilization > 0 && utilization < 1)) {
      throw new IllegalArgumentException("utilization must be in (0, 1), got " + utilization);
    }
    return poissonArrivals(String.format("poisson-%s-%.2f", sizes.name().toLowerCase(),
        utilization), jobs, utilization * capacity / mean, sizes, mean, memory, state, seed,
        r -> r.nextInt(nodes));
  }

  /**
   * A grid's skewed load: {@code jobs} jobs arriving as a Poisson process at the rate that loads
   * the whole grid ({@code capacity}) to {@code utilization}, a fraction {@code hot} of them
   * submitted at the nodes of cluster 0 and the rest at uniformly random nodes of the grid.
   * Alone, cluster 0 gets far more than it can run; shared, the grid has room for all.
   */
  public static Trace skewed(int jobs, int[] clusterOf, double hot, double capacity,
      double utilization, Sizes sizes, double mean, long memory, long state, long seed) {
    if (!(utilization > 0 && utilization < 1) || !(hot >= 0 && hot <= 1)) {
      throw new IllegalArgumentException("utilization in (0, 1) and hot in [0, 1], got "
          + utilization + " and " + hot);
    }
    int[] hotNodes = java.util.stream.IntStream.range(0, clusterOf.length)
        .filter(i -> clusterOf[i] == 0).toArray();
    return poissonArrivals(String.format("skewed-%s-%.2f-hot%.2f",
        sizes.name().toLowerCase(), utilization, hot), jobs, utilization * capacity / mean,
        sizes, mean, memory, state, seed, r -> r.nextDouble() < hot
            ? hotNodes[r.nextInt(hotNodes.length)] : r.nextInt(clusterOf.length));
  }

  /**
   * Poisson arrivals at {@code rate} jobs a second, each job's home from {@code home}; per job
   * the draws come in one order (arrival, home, size), so a seed gives one trace.
   */
  private static Trace poissonArrivals(String name, int jobs, double rate, Sizes sizes,
      double mean, long memory, long state, long seed,
      java.util.function.ToIntFunction<SplittableRandom> home) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] arrival = new double[jobs];
    int[] homes = new int[jobs];
    double[] size = new double[jobs];
    double t = 0;
    for (int j = 0; j < jobs; j++) {
      t += -Math.log(1 - r.nextDouble()) / rate;
      arrival[j] = t;
      homes[j] = home.applyAsInt(r);
      size[j] = sizes.draw(r, mean);
    }
    return new Trace(name, arrival, homes, size, filled(jobs, memory), filled(jobs, state));
  }

  private static long[] filled(int n, long v) {
    long[] a = new long[n];
    Arrays.fill(a, v);
    return a;
  }
}
