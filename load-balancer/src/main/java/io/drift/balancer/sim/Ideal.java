package io.drift.balancer.sim;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * The yardsticks a strategy is held to, computed from the trace and the slots alone.
 */
public final class Ideal {
  private Ideal() {}

  /**
   * The preemptive optimum makespan of a batch on uniform machines (every slot a machine of its
   * node's speed): the larger of total work over total speed, and, over k, the k largest jobs'
   * work over the k fastest slots' speed (a job runs on one slot at a time).
   */
  public static double batchOptimum(double[] slotSpeeds, double[] sizes) {
    double[] speeds = descending(slotSpeeds);
    double[] work = descending(sizes);
    double best = Arrays.stream(work).sum() / Arrays.stream(speeds).sum();
    double w = 0;
    double s = 0;
    for (int k = 0; k < Math.min(speeds.length, work.length); k++) {
      w += work[k];
      s += speeds[k];
      best = Math.max(best, w / s);
    }
    return best;
  }

  /**
   * The single system image at its ideal: all slots pooled into one time-shared machine, which
   * runs its J jobs on the J fastest slots (all slots once J exceeds them) and shares their
   * speed equally, with no cost to move anything. Returns each job's finish time.
   */
  public static double[] pooledFinish(double[] slotSpeeds, Workload.Trace trace) {
    double[] speeds = descending(slotSpeeds);
    double[] prefix = new double[speeds.length + 1];
    for (int k = 0; k < speeds.length; k++) {
      prefix[k + 1] = prefix[k] + speeds[k];
    }
    int jobs = trace.jobs();
    double[] finish = new double[jobs];
    // egalitarian sharing: every job present gets the same rate, so one "virtual work" clock v
    // serves all; a job that arrives at v0 ends when v reaches v0 + size
    PriorityQueue<double[]> running = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
    double t = 0;
    double v = 0;
    int next = 0;
    while (next < jobs || !running.isEmpty()) {
      int present = running.size();
      double rate = present == 0 ? 0 : prefix[Math.min(present, speeds.length)] / present;
      double tDone = present == 0 ? Double.POSITIVE_INFINITY
          : t + (running.peek()[0] - v) / rate;
      double tArrive = next < jobs ? trace.arrival()[next] : Double.POSITIVE_INFINITY;
      if (tArrive <= tDone) {
        v += rate * (tArrive - t);
        t = tArrive;
        running.add(new double[] {v + trace.size()[next], next});
        next++;
      } else {
        v = running.peek()[0];
        t = tDone;
        finish[(int) running.poll()[1]] = t;
      }
    }
    return finish;
  }

  private static double[] descending(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    for (int i = 0; i < s.length / 2; i++) {
      double tmp = s[i];
      s[i] = s[s.length - 1 - i];
      s[s.length - 1 - i] = tmp;
    }
    return s;
  }
}
