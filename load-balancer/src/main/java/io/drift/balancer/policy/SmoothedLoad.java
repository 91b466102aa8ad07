package io.drift.balancer.policy;

/**
 * MOSIX's asymmetric load smoothing (MOSIX-NOTES, Load), the main brake on flooding and
 * oscillation. {@code local}, which a node uses for its own decisions, rises slowly
 * (new = (5·old + 3·sample)/8) and drops at once: a node does not push work away on a burst,
 * and takes work again as soon as it frees up. {@code exported}, which it tells others, rises
 * at once and decays slowly (new = (7·old + sample)/8): others stop sending at once, and an idle
 * node's news spreads slowly, so that not everyone floods it together. Immutable.
 */
public record SmoothedLoad(double local, double exported) {

  public SmoothedLoad {
    if (!(local >= 0) || !(exported >= 0)) {
      throw new IllegalArgumentException("loads are >= 0, got " + local + ", " + exported);
    }
  }

  /** A node's first sample, taken as it is for both. */
  public static SmoothedLoad of(double sample) {
    return new SmoothedLoad(sample, sample);
  }

  /** After one more sample. */
  public SmoothedLoad next(double sample) {
    if (!(sample >= 0)) {
      throw new IllegalArgumentException("a load sample is >= 0, got " + sample);
    }
    double l = sample <= local ? sample : (5 * local + 3 * sample) / 8;
    double e = sample >= exported ? sample : (7 * exported + sample) / 8;
    return new SmoothedLoad(l, e);
  }

  /** A run-queue length as MOSIX compares nodes: per unit of speed and per slot. */
  public static double normalize(double runQueue, double speed, int slots) {
    if (!(speed > 0) || slots < 1) {
      throw new IllegalArgumentException("speed > 0 and slots >= 1, got " + speed + ", " + slots);
    }
    return runQueue / (speed * slots);
  }
}
