package io.drift.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The calibration's arithmetic and its bounds; how fast this machine is, it does not judge. */
class SpeedCalibrationTest {

  @Test
  void theSpeedIsTheBestRoundsRateOverTheReference() {
    SpeedCalibration.Result r = SpeedCalibration.measure(20_000_000L);
    assertTrue(r.rounds() >= 3, "at least three rounds: " + r);
    assertTrue(r.roundsPerSecond() > 0 && Double.isFinite(r.roundsPerSecond()), r.toString());
    assertEquals(r.roundsPerSecond() / SpeedCalibration.REFERENCE_ROUNDS_PER_SECOND, r.speed(),
        1e-9);
    // the best round is no slower than the average one
    assertTrue(r.roundsPerSecond() >= r.rounds() * 1e9 / r.nanos() * 0.999, r.toString());
  }

  @Test
  void theKernelIsNotFoldable() {
    // different inputs give different outputs: the JIT cannot replace the loop by a constant
    assertNotEquals(SpeedCalibration.kernel(1), SpeedCalibration.kernel(3));
    assertEquals(SpeedCalibration.kernel(5), SpeedCalibration.kernel(5));
  }
}
