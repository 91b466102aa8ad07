package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class DecimalsTest {

  @Test
  void writesWhatFormatWritesInTheRootLocale() {
    double[] values = {0, 0.5, 1.23456, 0.00005, 0.00004999, 2.5, -1.25, 123456.789, 1e-9,
        3.0e7, 0.125, 1.0 / 3, -0.0004, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY};
    for (double v : values) {
      for (int places = 1; places <= 4; places++) {
        assertEquals(String.format(Locale.ROOT, "%." + places + "f", v),
            Decimals.fixed(v, places), v + " to " + places + " places");
      }
    }
  }

  @Test
  void aReasonReadsTheSameWhateverTheDefaultLocale() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY); // String.format would write 0,1250 here
      assertEquals("0.1250", Decimals.fixed(0.125, 4));
    } finally {
      Locale.setDefault(before);
    }
  }
}
