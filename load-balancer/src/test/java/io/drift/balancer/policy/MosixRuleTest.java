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
  void theExpectedGainGrowsWithTheTimeAUnitHasRun() {
    // from a slot of speed 0.5 alone to a free one of speed 2: 2 s per unit of work less 0.5
    double young = MosixRule.expectedGainSeconds(0.1, 1 / 0.5, 1 / 2.0);
    double old = MosixRule.expectedGainSeconds(100, 1 / 0.5, 1 / 2.0);
    assertEquals(0.1 / 0.5 - 0.1 / 2.0, young, 1e-9);
    assertEquals(1000 * young, old, 1e-9);
    assertTrue(MosixRule.expectedGainSeconds(10, 1 / 2.0, 1 / 0.5) < 0,
        "a slower target loses time");
  }

  @Test
  void reliefAndBurdenAreTheOpportunityCostOfOneUnit() {
    assertEquals(0.25, MosixRule.relief(2, 4.0, 2), 1e-9, "not full: its own time");
    assertEquals(0.25, MosixRule.burden(1, 4.0, 2), 1e-9, "a free slot: its own time");
    // three units on two slots of speed 4 take 1.125 s per unit of work between them, two 0.5
    assertEquals(0.625, MosixRule.relief(3, 4.0, 2), 1e-9, "its neighbours' waiting comes off");
    assertEquals(0.625, MosixRule.burden(2, 4.0, 2), 1e-9);
    assertEquals(MosixRule.relief(1, 1.0, 1), MosixRule.relief(0.2, 1.0, 1), 1e-9,
        "a unit that is there counts whole");
  }

  @Test
  void aMoveMustPayForItself() {
    double cost = MosixRule.moveCostSeconds(256L << 20, 256.0 * (1 << 20), 0.01);
    assertEquals(1.01, cost, 1e-9, "256 MiB at 256 MiB/s, plus 10 ms");
    double relief = MosixRule.relief(4, 1.0, 1);
    double burden = MosixRule.burden(0, 1.0, 1);
    assertTrue(MosixRule.allowsMove(4, 1.0, 1, 0, 1.0, 1, MosixRule.MARGIN_UNITS));
    assertTrue(MosixRule.expectedGainSeconds(0.1, relief, burden) < cost, "a young unit stays");
    assertTrue(MosixRule.expectedGainSeconds(60, relief, burden) > cost, "an old one moves");
  }

  @Test
  void aUnitLeavesASharedFastNodeForAFreeSlowerSlotWhenItsNeighboursGainMore() {
    // three units on two slots of speed 4 get 8/3 each; one of them alone on a slot of speed 2
    // gets 2, and the two left get 4 each: 1.0 s per unit of work between them instead of 1.125
    assertTrue(MosixRule.allowsMove(3, 4.0, 2, 0, 2.0, 2, MosixRule.MARGIN_UNITS));
    // to a free slot of speed 1 the move costs the unit more than its neighbours gain
    assertFalse(MosixRule.allowsMove(3, 4.0, 2, 0, 1.0, 2, MosixRule.MARGIN_UNITS));
    // two units on two slots: nobody waits, and a slower slot only costs
    assertFalse(MosixRule.allowsMove(2, 4.0, 2, 0, 2.0, 2, MosixRule.MARGIN_UNITS));
  }
}
