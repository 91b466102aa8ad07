package io.drift.balancer.gossip;

/**
 * The expected information ages of randomized gossip with a window (Amar, Barak, Drezner, Okun),
 * in gossip steps, as MOSIX-NOTES gives them: every step each of {@code n} nodes sends its own
 * fresh entry and the {@code w} freshest of its window to one node chosen uniformly at random.
 * The yardstick the simulator and the real gossip are held to.
 */
public final class GossipFormulas {
  private GossipFormulas() {}

  /** Euler's constant, as the paper rounds it. */
  static final double GAMMA = 0.577;

  /** Window horizon T = ((N−1)/N)·ln(W(N−1)/(N−W)). */
  public static double horizon(int n, int w) {
    check(n, w);
    return (n - 1.0) / n * Math.log(w * (n - 1.0) / (n - w));
  }

  /** X = N·e^{NT/(N−1)} / (N−1+e^{NT/(N−1)}), which equals W. */
  static double x(int n, int w) {
    double e = Math.exp(n * horizon(n, w) / (n - 1.0));
    return n * e / (n - 1 + e);
  }

  /** Mean age inside the window: A_w = T − ((N−1)/X)·[ln(N−1+e^{NT/(N−1)}) − ln N]. */
  public static double windowAge(int n, int w) {
    double t = horizon(n, w);
    double e = Math.exp(n * t / (n - 1.0));
    return t - (n - 1.0) / x(n, w) * (Math.log(n - 1 + e) - Math.log(n));
  }

  /** Expected average age: A_v = 1/(1 − (1 − 1/(N−1))^X) + A_w. */
  public static double averageAge(int n, int w) {
    return 1 / (1 - Math.pow(1 - 1.0 / (n - 1), x(n, w))) + windowAge(n, w);
  }

  /** Expected maximal age: M = −(ln N + γ)/(X·ln(1 − 1/(N−1))). */
  public static double maximalAge(int n, int w) {
    return -(Math.log(n) + GAMMA) / (x(n, w) * Math.log(1 - 1.0 / (n - 1)));
  }

  private static void check(int n, int w) {
    if (n < 3 || w < 1 || w >= n) {
      throw new IllegalArgumentException("need 3 <= N and 1 <= W < N, got N=" + n + ", W=" + w);
    }
  }
}
