package io.drift.balancer.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.balancer.policy.PolicyConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The simulator's yardsticks and bookkeeping, on cases small enough to work out by hand. */
class SimulatorTest {

  static final long MIB = 1L << 20;

  @Test
  void theBatchOptimumIsTheLargerOfBothBounds() {
    // slots of speed 4 and 1; jobs 8, 2, 2: the largest alone needs 8/4 = 2; total 12/5 = 2.4
    assertEquals(2.4, Ideal.batchOptimum(new double[] {4, 1}, new double[] {8, 2, 2}), 1e-9);
    // one huge job: 40/4 = 10 beats 44/5
    assertEquals(10, Ideal.batchOptimum(new double[] {1, 4}, new double[] {2, 40, 2}), 1e-9);
    // two large ones: (20 + 20)/(4 + 1) = 8 beats 20/4 and 41/5
    assertEquals(8.2, Ideal.batchOptimum(new double[] {4, 1}, new double[] {20, 20, 1}), 1e-9);
  }

  @Test
  void thePooledIdealSharesTheFastestSlotsEqually() {
    Workload.Trace t = new Workload.Trace("t", new double[] {0, 0, 1}, new int[3],
        new double[] {4, 8, 2}, new long[3], new long[3]);
    // slots 2 and 1. Two jobs share 3 from t=0: at 1 s each has 1.5 done, the third comes;
    // three share 3 (1 each): job 0 (2.5 left) and 2 (2 left): job 2 ends at 3 s; then two
    // share 3 at 1.5: job 0 has 0.5 left, ends at 3.333 s; job 8 has 8-1.5-2-0.5 = 4 left.
    double[] f = Ideal.pooledFinish(new double[] {1, 2}, t);
    assertEquals(3.0, f[2], 1e-9);
    assertEquals(3 + 0.5 / 1.5, f[0], 1e-9);
    assertEquals(3 + 0.5 / 1.5 + 4 / 2.0, f[1], 1e-9, "alone, it gets the fastest slot only");
  }

  @Test
  void traceSizesHaveTheirMeanAndReplayBySeed() {
    for (Workload.Sizes s : Workload.Sizes.values()) {
      Workload.Trace a = Workload.batch(200_000, 0, s, 30, 0, 0, 3);
      assertEquals(30, a.totalWork() / a.jobs(), 30 * 0.03, s.name());
      assertArrayEquals(a.size(), Workload.batch(200_000, 0, s, 30, 0, 0, 3).size());
    }
    Workload.Trace p = Workload.batch(100_000, 0, Workload.Sizes.PARETO, 30, 0, 0, 3);
    double max = Arrays.stream(p.size()).max().orElseThrow();
    double min = Arrays.stream(p.size()).min().orElseThrow();
    assertTrue(max / min > 50 && max / min <= 100.0001, "heavy tail, bounded: " + min + ".." + max);
    assertThrows(IllegalArgumentException.class,
        () -> Workload.poisson(10, 3, 10, 1.0, Workload.Sizes.EXPONENTIAL, 1, 0, 0, 1));
  }

  @Test
  void aNodeTimeSharesItsSlots() {
    // one node of speed 2, 2 slots, three jobs of 4: each gets 4/3 per second until they all end
    ClusterSim.Setup one = new ClusterSim.Setup(new double[] {2, 1, 1}, 2,
        new long[] {1L << 33, 1L << 33, 1L << 33}, 1, 1.0, PolicyConfig.defaults(), 0, 1);
    Workload.Trace t = new Workload.Trace("t", new double[3], new int[3], new double[] {4, 4, 4},
        new long[3], new long[3]);
    ClusterSim.Result r = new ClusterSim(one, t, ClusterSim.Strategy.HOME).run();
    for (double f : r.finish()) {
      assertEquals(3.0, f, 1e-9);
    }
  }

  @Test
  void driftFinishesASmallBatchNearTheOptimumAndFarAheadOfTheBaselines() {
    ClusterSim.Setup setup = ClusterSim.Setup.mixed(30, 2, 8L << 30, 8, PolicyConfig.defaults(),
        3);
    Workload.Trace batch = Workload.batch(120, 0, Workload.Sizes.PARETO, 30, 64 * MIB, 4 * MIB,
        5);
    double optimum = Ideal.batchOptimum(setup.slotSpeeds(), batch.size());
    ClusterSim.Result drift = new ClusterSim(setup, batch, ClusterSim.Strategy.DRIFT).run();
    ClusterSim.Result rr = new ClusterSim(setup, batch, ClusterSim.Strategy.ROUND_ROBIN).run();
    ClusterSim.Result home = new ClusterSim(setup, batch, ClusterSim.Strategy.HOME).run();
    for (int j = 0; j < batch.jobs(); j++) {
      assertTrue(drift.finish()[j] >= batch.size()[j] / 4 - 1e-9, "no job beats the fastest slot");
    }
    assertTrue(drift.makespan() >= optimum - 1e-9);
    assertTrue(drift.makespan() < 1.3 * optimum, drift.makespan() + " vs " + optimum);
    assertTrue(drift.makespan() < rr.makespan() && rr.makespan() < home.makespan());
    assertTrue(drift.moves() > 0);
  }
}
