package io.drift.balancer.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The simulated gossip against the paper's formulas (MOSIX-NOTES), at sizes a test can run. */
class GossipSimTest {

  @ParameterizedTest(name = "N={0}, W={1}: A_v {2}, M {3}")
  @CsvSource({"64, 16, 6.4, 18.5", "256, 16, 18.3, 97", "256, 64, 7.8, 24"})
  void theFormulasGiveThePublishedValues(int n, int w, double av, double m) {
    assertEquals(av, GossipFormulas.averageAge(n, w), av * 0.05);
    assertEquals(m, GossipFormulas.maximalAge(n, w), m * 0.05);
  }

  @ParameterizedTest(name = "N={0}, W={1}")
  @CsvSource({"64, 8", "64, 16", "256, 16", "256, 32"})
  void simulatedAgesAreWithinAQuarterOfTheFormulas(int n, int w) {
    GossipSim sim = new GossipSim(n, w, 42);
    int settle = (int) Math.ceil(5 * GossipFormulas.maximalAge(n, w));
    GossipSim.Ages ages = sim.measure(settle, settle);
    double av = GossipFormulas.averageAge(n, w);
    double m = GossipFormulas.maximalAge(n, w);
    assertEquals(av, ages.average(), 0.25 * av, "average age " + ages);
    assertEquals(m, ages.meanMaximum(), 0.25 * m, "maximal age " + ages);
    for (int i = 0; i < n; i++) {
      assertEquals(2L * settle, sim.sent(i), "one message per node per step, exactly");
    }
  }

  @Test
  void aWiderWindowKeepsInformationFresher() {
    GossipSim.Ages narrow = new GossipSim(128, 4, 7).measure(400, 200);
    GossipSim.Ages wide = new GossipSim(128, 32, 7).measure(400, 200);
    assertTrue(wide.average() < narrow.average() / 3, narrow + " vs " + wide);
    assertTrue(wide.meanMaximum() < narrow.meanMaximum() / 3, narrow + " vs " + wide);
  }

  @Test
  void badSizesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GossipSim(2, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new GossipSim(10, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> GossipFormulas.horizon(10, 0));
  }
}
