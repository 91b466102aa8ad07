package io.drift.api.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.WorkUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShippedUnitsTest {

  @Test
  void usagesListEveryUnitSorted() {
    assertEquals(
        List.of("burn MILLIS", "lines COUNT", "pi SEED SAMPLES", "primes FROM TO"),
        ShippedUnits.usages());
  }

  @Test
  void primesMakesAPrimeCountOverTheGivenRange() throws Exception {
    WorkUnit<?> u = ShippedUnits.create("primes", List.of("100", "200"));
    assertInstanceOf(PrimeCount.class, u);
    assertEquals(21L, Driver.runToEnd(u)); // pi(200) - pi(100)
  }

  @Test
  void piMakesAMonteCarloPiWithTheGivenSeedAndSamples() throws Exception {
    WorkUnit<?> u = ShippedUnits.create("pi", List.of("7", "300000"));
    assertInstanceOf(MonteCarloPi.class, u);
    assertEquals(Driver.runToEnd(new MonteCarloPi(7, 300_000)), Driver.runToEnd(u));
  }

  @Test
  void burnMakesABurnCpu() throws Exception {
    WorkUnit<?> u = ShippedUnits.create("burn", List.of("0"));
    assertInstanceOf(BurnCpu.class, u);
    assertEquals(0L, Driver.runToEnd(u));
  }

  @Test
  void linesMakesAPrintLinesOfTheGivenCount() throws Exception {
    WorkUnit<?> u = ShippedUnits.create("lines", List.of("3"));
    assertInstanceOf(PrintLines.class, u);
    Driver d = new Driver();
    assertEquals(3L, d.run(u, 10));
    assertEquals(List.of("line 1 of 3", "line 2 of 3", "line 3 of 3"), d.out);
  }

  @Test
  void anUnknownNameListsTheShippedUnits() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShippedUnits.create("fibonacci", List.of("10")));
    assertTrue(e.getMessage().contains("unknown unit 'fibonacci'"), e.getMessage());
    for (String usage : ShippedUnits.usages()) {
      assertTrue(e.getMessage().contains(usage), e.getMessage());
    }
  }

  @Test
  void theWrongNumberOfArgumentsShowsTheUsage() {
    assertUsage("primes FROM TO", "primes", List.of("1"));
    assertUsage("primes FROM TO", "primes", List.of("1", "2", "3"));
    assertUsage("pi SEED SAMPLES", "pi", List.of());
    assertUsage("burn MILLIS", "burn", List.of("1", "2"));
    assertUsage("lines COUNT", "lines", List.of());
  }

  @Test
  void aBadNumberNamesTheArgumentAndShowsTheUsage() {
    IllegalArgumentException e = assertUsage("primes FROM TO", "primes", List.of("1", "ten"));
    assertTrue(e.getMessage().contains("'ten' is not a whole number"), e.getMessage());
    assertUsage("burn MILLIS", "burn", List.of("1.5"));
    assertUsage("lines COUNT", "lines", List.of(""));
    assertUsage("pi SEED SAMPLES", "pi", List.of("1", "99999999999999999999"));
  }

  @Test
  void anArgumentTheUnitRejectsShowsItsReasonAndTheUsage() {
    IllegalArgumentException e = assertUsage("primes FROM TO", "primes", List.of("10", "5"));
    assertTrue(e.getMessage().contains("need 0 <= from <= to"), e.getMessage());
    e = assertUsage("pi SEED SAMPLES", "pi", List.of("1", "0"));
    assertTrue(e.getMessage().contains("samples must be > 0"), e.getMessage());
    assertUsage("lines COUNT", "lines", List.of("-1"));
    assertUsage("burn MILLIS", "burn", List.of("-1"));
  }

  private static IllegalArgumentException assertUsage(String usage, String name, List<String> args) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ShippedUnits.create(name, args));
    assertTrue(e.getMessage().contains(usage), name + " " + args + ": " + e.getMessage());
    return e;
  }
}
