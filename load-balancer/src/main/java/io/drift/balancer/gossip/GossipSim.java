package io.drift.balancer.gossip;

import java.util.SplittableRandom;

/**
 * Randomized gossip with a window, simulated step by step for {@code n} nodes: every step each
 * node sends one message, to one other node chosen uniformly at random, holding its own fresh
 * entry and the {@code w} freshest entries it knows of others; a receiver keeps an entry only if
 * it is fresher than the one it holds. Entries carry the step at which they were fresh, so
 * ages need no clocks. All messages of a step are composed before any is delivered.
 *
 * <p>Cost per step: n·(w+1) merges, each O(w) to keep a node's w freshest in order; memory: an
 * n·n table of ints (400 MB at n = 10,000).
 */
public final class GossipSim {

  private final int n;
  private final int w;
  private final SplittableRandom random;
  /** born[i][j]: the step at which node j's entry, as node i holds it, was fresh at j. */
  private final int[][] born;
  /** fresh[i][0..count[i]): node i's w freshest entries of others, freshest first. */
  private final int[][] fresh;
  /** freshBorn[i][k] = born[i][fresh[i][k]], beside it: the table is too big for the cache. */
  private final int[][] freshBorn;
  private final int[] count;
  private final long[] sent;
  // one step's messages, composed before any is delivered: node i's at [i*(w+1), +len[i])
  private final int[] to;
  private final int[] msgEntry;
  private final int[] msgBorn;
  private final int[] msgLen;
  private int now;

  public GossipSim(int n, int w, long seed) {
    if (n < 3 || w < 1 || w >= n) {
      throw new IllegalArgumentException("need 3 <= N and 1 <= W < N, got N=" + n + ", W=" + w);
    }
    this.n = n;
    this.w = w;
    this.random = new SplittableRandom(seed);
    this.born = new int[n][n]; // every node knows every node at step 0
    this.fresh = new int[n][w];
    this.freshBorn = new int[n][w];
    this.count = new int[n];
    this.sent = new long[n];
    this.to = new int[n];
    this.msgEntry = new int[n * (w + 1)];
    this.msgBorn = new int[n * (w + 1)];
    this.msgLen = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0, k = 0; k < w; j++) {
        if (j != i) {
          fresh[i][k++] = j;
        }
      }
      count[i] = w;
    }
  }

  public int step() {
    return now;
  }

  /** Messages node i has sent so far. */
  public long sent(int i) {
    return sent[i];
  }

  /** One gossip interval. */
  public void advance() {
    now++;
    for (int i = 0; i < n; i++) {
      int t = random.nextInt(n - 1);
      to[i] = t >= i ? t + 1 : t; // uniform over the others
      int base = i * (w + 1);
      msgEntry[base] = i;
      msgBorn[base] = now;
      int m = count[i];
      System.arraycopy(fresh[i], 0, msgEntry, base + 1, m);
      System.arraycopy(freshBorn[i], 0, msgBorn, base + 1, m);
      msgLen[i] = m + 1;
      sent[i]++;
    }
    for (int i = 0; i < n; i++) {
      int base = i * (w + 1);
      for (int k = 0; k < msgLen[i]; k++) {
        receive(to[i], msgEntry[base + k], msgBorn[base + k]);
      }
    }
  }

  private void receive(int t, int j, int b) {
    if (j == t || b <= born[t][j]) {
      return;
    }
    born[t][j] = b;
    int[] f = fresh[t];
    int[] fb = freshBorn[t];
    int at = -1;
    for (int k = 0; k < count[t]; k++) {
      if (f[k] == j) {
        at = k;
        break;
      }
    }
    if (at < 0) {
      if (count[t] < w) {
        at = count[t]++;
      } else if (b > fb[w - 1]) {
        at = w - 1; // the oldest of the w freshest gives way
      } else {
        return;
      }
      f[at] = j;
    }
    fb[at] = b;
    while (at > 0 && fb[at - 1] < b) { // keep freshest first
      f[at] = f[at - 1];
      fb[at] = fb[at - 1];
      f[--at] = j;
      fb[at] = b;
    }
  }

  /** Ages at this step: the mean over every node's entries of others, and of each node's oldest. */
  public record Ages(double average, double meanMaximum, int maximum) {}

  public Ages ages() {
    double sum = 0;
    double sumMax = 0;
    int max = 0;
    for (int i = 0; i < n; i++) {
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
    return new Ages(sum / ((double) n * (n - 1)), sumMax / n, max);
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
