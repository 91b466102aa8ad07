package io.drift.api.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MonteCarloPiTest {

  private static final long SEED = 20240601L;
  private static final long SAMPLES = 1_000_000L;

  @Test
  void sameSeedGivesTheIdenticalEstimate() throws Exception {
    double a = Driver.runToEnd(new MonteCarloPi(SEED, SAMPLES));
    double b = Driver.runToEnd(new MonteCarloPi(SEED, SAMPLES));
    assertEquals(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b),
        "seed " + SEED + ": " + a + " vs " + b);
  }

  @Test
  void differentSeedsGiveDifferentEstimates() throws Exception {
    double a = Driver.runToEnd(new MonteCarloPi(SEED, SAMPLES));
    double b = Driver.runToEnd(new MonteCarloPi(SEED + 1, SAMPLES));
    // 10^6 samples: two independent estimates coincide with probability about 1e-3
    assertNotEquals(a, b, "seeds " + SEED + " and " + (SEED + 1));
  }

  @Test
  void estimateIsCloseToPi() throws Exception {
    Driver d = new Driver();
    double pi = d.run(new MonteCarloPi(SEED, SAMPLES), 1_000);
    // standard error of 4 * (hits / n) is about 4 * 0.41 / 1000 = 0.0016; 0.01 is six of them
    assertEquals(Math.PI, pi, 0.01, "seed " + SEED);
    assertTrue(d.steps > 1, "sampled in several steps, took " + d.steps);
    assertEquals(1.0, d.lastProgress());
    d.assertProgressMonotone();
    assertEquals(List.of("pi ~ " + pi + " from " + SAMPLES + " samples (seed " + SEED + ")"), d.out);
  }

  @Test
  void rejectsNoSamples() {
    assertThrows(IllegalArgumentException.class, () -> new MonteCarloPi(1, 0));
    assertThrows(IllegalArgumentException.class, () -> new MonteCarloPi(1, -5));
  }
}
