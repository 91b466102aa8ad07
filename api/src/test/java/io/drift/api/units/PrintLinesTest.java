package io.drift.api.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrintLinesTest {

  @Test
  void writesEveryNumberedLineOnceInOrder() throws Exception {
    Driver d = new Driver();
    assertEquals(250L, d.run(new PrintLines(250), 1_000));
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 250; i++) {
      expected.add("line " + i + " of 250");
    }
    assertEquals(expected, d.out);
    assertTrue(d.err.isEmpty());
    assertTrue(d.steps > 1, "written in several steps, took " + d.steps);
    assertEquals(1.0, d.lastProgress());
    d.assertProgressMonotone();
  }

  @Test
  void zeroLinesIsDoneAtOnce() throws Exception {
    Driver d = new Driver();
    assertEquals(0L, d.run(new PrintLines(0), 1));
    assertTrue(d.out.isEmpty());
    assertEquals(1.0, d.lastProgress());
  }

  @Test
  void rejectsANegativeCount() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PrintLines(-3));
    assertTrue(e.getMessage().contains("-3"), e.getMessage());
  }
}
