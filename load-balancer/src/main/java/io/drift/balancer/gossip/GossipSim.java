package io.drift.balancer.gossip;

import java.util.SplittableRandom;

/**
 * Randomized gossip with a window, simulated step by step for {@code n} nodes: every step each
 * node sends one message, to one other node chosen uniformly at random, holding its own fresh
 * entry and the {@code w} freshest entries it knows of others; a receiver keeps an entry only if
 * it is fresher than the one it holds. Entries carry the step at which they were fresh, so
 * ages need no clocks. All messages of a step are composed before any is delivered. Every node
 * knows every node at step 0.
 *
 * <p>Only the window decides what a node sends, and the window can be kept exactly without the
 * rest of a node's vector: the window is always the w freshest entries the node holds, so an
 * entry no fresher than the window's oldest changes nothing that is ever sent, and an entry
 * fresher than it is held already only if it is in the window. The full vector (an int per node
 * known) is kept for the first {@code observers} nodes only, which is what ages are measured
 * over and what {@link #born} answers for: nodes are alike, so any of them is a fair sample.
 * Cost per step: n·(w+1) merges of O(w) each, mostly in cache; memory n·w ints plus
 * observers·n.
 *
 * <p>Payloads: with {@code keep > 0} each node's samples of the last {@code keep} steps are kept
 * ({@link #publish}), and an entry as a node holds it stands for the sample its node published
 * at the entry's step: samples are immutable, so looking one up is carrying it.
 */
public final class GossipSim {

  private final int n;
  private final int w;
  private final int observers;
  private final SplittableRandom random;
  /** born[i][j] for i < observers: the step at which node j's entry, as i holds it, was fresh. */
  private final int[][] born;
  /** fresh[i][0..w): node i's w freshest entries of others, freshest first. */
  private final int[][] fresh;
  /** freshBorn[i][k] = the step of fresh[i][k]. */
  private final int[][] freshBorn;
  private final long[] sent;
  private final int keep;
  private final Object[][] samples;
  private final Object[] pending;
  // one step's messages, composed before any is delivered: node i's at [i*(w+1), +w+1)
  private final int[] to;
  private final int[] msgEntry;
  private final int[] msgBorn;
  private int now;

  /** Every node's vector kept: ages are exact over all nodes. */
  public GossipSim(int n, int w, long seed) {
    this(n, w, seed, n, 0);
  }

  /**
   * @param observers nodes whose whole vector is kept (the first ones)
   * @param keep steps of published samples kept per node; 0 for none
   */
  public GossipSim(int n, int w, long seed, int observers, int keep) {
    if (n < 3 || w < 1 || w >= n) {
      throw new IllegalArgumentException("need 3 <= N and 1 <= W < N, got N=" + n + ", W=" + w);
    }
    if (observers < 1 || observers > n || keep < 0) {
      throw new IllegalArgumentException("need 1 <= observers <= N and keep >= 0");
    }
    this.n = n;
    this.w = w;
    this.observers = observers;
    this.random = new SplittableRandom(seed);
    this.born = new int[observers][n];
    this.fresh = new int[n][w];
    this.freshBorn = new int[n][w];
    this.sent = new long[n];
    this.keep = keep;
    this.samples = keep > 0 ? new Object[n][keep] : null;
    this.pending = keep > 0 ? new Object[n] : null;
    this.to = new int[n];
    this.msgEntry = new int[n * (w + 1)];
    this.msgBorn = new int[n * (w + 1)];
    for (int i = 0; i < n; i++) {
      for (int j = 0, k = 0; k < w; j++) {
        if (j != i) {
          fresh[i][k++] = j;
        }
      }
    }
  }

  public int step() {
    return now;
  }

  public int size() {
    return n;
  }

  public int window() {
    return w;
  }

  /** Messages node i has sent so far. */
  public long sent(int i) {
    return sent[i];
  }

  /** Node {@code i}'s newest sample: its entry carries it from the next {@link #advance} on. */
  public void publish(int i, Object sample) {
    pending[i] = sample;
    if (now == 0) {
      samples[i][0] = sample; // what everyone knows of everyone at the start
    }
  }

  /**
   * The sample node j published at {@code step}, or null if it is older than the kept steps or
   * none was published.
   */
  public Object sampleOf(int j, int step) {
    if (samples == null || now - step >= keep || step < 0) {
      return null;
    }
    return samples[j][step % keep];
  }

  /** The k-th freshest entry of node i's window (0 is the freshest): the node. */
  public int windowNode(int i, int k) {
    return fresh[i][k];
  }

  /** The step of the k-th freshest entry of node i's window. */
  public int windowBorn(int i, int k) {
    return freshBorn[i][k];
  }

  /** The step of node j's entry as observer i holds it. */
  public int born(int i, int j) {
    return i == j ? now : born[i][j];
  }

  public int observers() {
    return observers;
  }

  /** One gossip interval. */
  public void advance() {
    now++;
    if (samples != null) { // the entries born at this step carry the samples published last
      for (int i = 0; i < n; i++) {
        samples[i][now % keep] = pending[i];
      }
    }
    int m = w + 1;
    for (int i = 0; i < n; i++) {
      int t = random.nextInt(n - 1);
      to[i] = t >= i ? t + 1 : t; // uniform over the others
      int base = i * m;
      msgEntry[base] = i;
      msgBorn[base] = now;
      System.arraycopy(fresh[i], 0, msgEntry, base + 1, w);
      System.arraycopy(freshBorn[i], 0, msgBorn, base + 1, w);
      sent[i]++;
    }
    for (int i = 0; i < n; i++) {
      int base = i * m;
      int t = to[i];
      for (int k = 0; k < m; k++) {
        receive(t, msgEntry[base + k], msgBorn[base + k]);
      }
    }
  }

  private void receive(int t, int j, int b) {
    if (j == t) {
      return;
    }
    if (t < observers) {
      if (b <= born[t][j]) {
        return;
      }
      born[t][j] = b;
    }
    int[] fb = freshBorn[t];
    if (b <= fb[w - 1]) {
      return; // no fresher than the window's oldest: changes nothing that is ever sent
    }
    int[] f = fresh[t];
    int at = w - 1; // not in the window: the oldest gives way
    for (int k = 0; k < w; k++) {
      if (f[k] == j) {
        if (b <= fb[k]) {
          return;
        }
        at = k;
        break;
      }
    }
    f[at] = j;
    fb[at] = b;
    while (at > 0 && fb[at - 1] < b) { // keep freshest first
      f[at] = f[at - 1];
      fb[at] = fb[at - 1];
      f[--at] = j;
      fb[at] = b;
    }
  }

  /**
   * Ages at this step over the observers: the mean over their entries of others, the mean of
   * each one's oldest, and the oldest of all.
   */
  public record Ages(double average, double meanMaximum, int maximum) {}

  public Ages ages() {
    double sum = 0;
    double sumMax = 0;
    int max = 0;
    for (int i = 0; i < observers; i++) {
      int oldest = 0;
      int[] row = born[i];
      for (int j = 0; j < n; j++) {
        if (j != i) {
          int age = now - row[j];
          sum += age;
          oldest = Math.max(oldest, age);
        }
      }
      sumMax += oldest;
      max = Math.max(max, oldest);
    }
    return new Ages(sum / ((double) observers * (n - 1)), sumMax / observers, max);
  }

  /**
   * Runs {@code warmUp} steps, then {@code samples} more, measuring the ages after each: their
   * means over the samples, and the largest age seen.
   */
  public Ages measure(int warmUp, int samples) {
    return measure(warmUp, samples, 1);
  }

  /** The same, measuring every {@code every} steps ({@code samples} times). */
  public Ages measure(int warmUp, int samples, int every) {
    for (int s = 0; s < warmUp; s++) {
      advance();
    }
    double avg = 0;
    double meanMax = 0;
    int max = 0;
    for (int s = 0; s < samples; s++) {
      for (int k = 0; k < every; k++) {
        advance();
      }
      Ages a = ages();
      avg += a.average();
      meanMax += a.meanMaximum();
      max = Math.max(max, a.maximum());
    }
    return new Ages(avg / samples, meanMax / samples, max);
  }
}
