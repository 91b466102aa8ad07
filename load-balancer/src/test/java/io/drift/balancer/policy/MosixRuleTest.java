package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each rule of MOSIX's load smoothing and migration test, with a case that needs it. */
class MosixRuleTest {

  @Test
  void localLoadRisesSlowlyAndDropsAtOnce() {
    SmoothedLoad s = SmoothedLoad.of(0).next(8);
    assertEquals(3.0, s.local(), 1e-9, "(5*0 + 3*8)/8");
    assertEquals(3.0 + (8 - 3.0) * 3 / 8, s.next(8).local(), 1e-9);
    assertEquals(1.0, s.next(8).next(1).local(), 1e-9, "a drop counts at once");
  }

  @Test
  void exportedLoadRisesAtOnceAndDecaysSlowly() {
    SmoothedLoad s = SmoothedLoad.of(0).next(8);
    assertEquals(8.0, s.exported(), 1e-9, "others hear of a rise at once");
    assertEquals(7.0, s.next(0).exported(), 1e-9, "(7*8 + 0)/8");
    assertEquals((7 * 7.0) / 8, s.next(0).next(0).exported(), 1e-9);
  }

  @Test
  void aBurstDoesNotMakeANodePushWorkAwayButOthersStopSendingAtOnce() {
    SmoothedLoad quiet = SmoothedLoad.of(1);
    SmoothedLoad burst = quiet.next(9);
    assertTrue(burst.local() < 5, "its own view lags the burst: " + burst);
    assertEquals(9, burst.exported(), 1e-9);
  }

  @Test
  void loadsAreNormalizedBySpeedAndSlots() {
    assertEquals(1.0, SmoothedLoad.normalize(8, 2.0, 4), 1e-9);
    assertEquals(0.25, SmoothedLoad.normalize(1, 4.0, 1), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> SmoothedLoad.normalize(1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> SmoothedLoad.of(0).next(-1));
    assertThrows(IllegalArgumentException.class, () -> SmoothedLoad.of(0).next(Double.NaN));
  }

  @Test
  void theTargetMustStayAboutOneAndAThirdUnitsBelow() {
    double unit = 1.0; // one unit's load at the target
    assertFalse(MosixRule.loadAllows(3.0, 1.7, unit), "1.7 + 1.3 is not below 3");
    assertTrue(MosixRule.loadAllows(3.0, 1.69, unit));
    // equal nodes with equal load never trade a unit (no ping-pong)
    assertFalse(MosixRule.loadAllows(2.0, 2.0, unit));
    // one unit more here than there is not enough either: it would only swap sides
    assertFalse(MosixRule.loadAllows(3.0, 2.0, unit));
  }

  @Test
  void aUnitGetsASlotOrAShare() {
    assertEquals(2.0, MosixRule.unitRate(2.0, 4, 3), 1e-9, "a free slot: full speed");
    assertEquals(1.0, MosixRule.unitRate(2.0, 2, 4), 1e-9, "four units on two slots: half");
  }

  @Test
  void theExpectedGainGrowsWithTheTimeAUnitHasRun() {
    double young = MosixRule.expectedGainSeconds(0.1, 0.5, 2.0);
    double old = MosixRule.expectedGainSeconds(100, 0.5, 2.0);
    assertEquals(0.1 / 0.5 - 0.1 / 2.0, young, 1e-9);
    assertTrue(old > 100 * young * 0.99);
    assertTrue(MosixRule.expectedGainSeconds(10, 2.0, 0.5) < 0, "a slower target loses time");
  }

  @Test
  void aMoveMustPayForItself() {
    double cost = MosixRule.moveCostSeconds(256L << 20, 256.0 * (1 << 20), 0.01);
    assertEquals(1.01, cost, 1e-9, "256 MiB at 256 MiB/s, plus 10 ms");
    double youngGain = MosixRule.expectedGainSeconds(0.5, 0.5, 2.0);
    double oldGain = MosixRule.expectedGainSeconds(60, 0.5, 2.0);
    assertFalse(MosixRule.worthMoving(4, 1, 0.5, youngGain, cost), "a young unit stays");
    assertTrue(MosixRule.worthMoving(4, 1, 0.5, oldGain, cost), "an old one moves");
    assertFalse(MosixRule.worthMoving(1.5, 1, 0.5, oldGain, cost), "unless the load forbids it");
  }
}
