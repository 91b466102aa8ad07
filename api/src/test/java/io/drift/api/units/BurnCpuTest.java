package io.drift.api.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BurnCpuTest {

  @Test
  void burnsAtLeastTheAskedCpuTimeInSeveralSteps() throws Exception {
    Driver d = new Driver();
    long burned = d.run(new BurnCpu(30), 10_000);
    assertTrue(burned >= 30, "burned " + burned + " ms");
    // a step stops near 5 ms of CPU, so 30 ms cannot fit in one step
    assertTrue(d.steps >= 2, "steps: " + d.steps);
    assertEquals(1.0, d.lastProgress());
    d.assertProgressMonotone();
    assertTrue(d.progress.get(0) < 1.0, "first step already reported " + d.progress.get(0));
  }

  @Test
  void zeroMillisIsDoneAtOnce() throws Exception {
    Driver d = new Driver();
    assertEquals(0L, d.run(new BurnCpu(0), 1));
    assertEquals(1.0, d.lastProgress());
  }

  @Test
  void rejectsNegativeMillis() {
    assertThrows(IllegalArgumentException.class, () -> new BurnCpu(-1));
  }
}
