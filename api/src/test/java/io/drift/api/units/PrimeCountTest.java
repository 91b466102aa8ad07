package io.drift.api.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrimeCountTest {

  @Test
  void countsThePrimesBelowOneHundredThousand() throws Exception {
    Driver d = new Driver();
    // pi(10^5) = 9592
    assertEquals(9592L, d.run(new PrimeCount(0, 100_000), 10_000));
    assertTrue(d.steps > 1, "the work is cut into steps, took " + d.steps);
    assertEquals(List.of("primes in [0, 100000): 9592"), d.out);
    assertEquals(1.0, d.lastProgress());
    d.assertProgressMonotone();
    assertTrue(d.err.isEmpty());
  }

  @Test
  void countsTheFourPrimesBelowTen() throws Exception {
    Driver d = new Driver();
    assertEquals(4L, d.run(new PrimeCount(0, 10), 10));
    assertEquals(1, d.steps);
    assertEquals(List.of("primes in [0, 10): 4"), d.out);
  }

  @Test
  void countsOnlyFromTheLowerBound() throws Exception {
    // pi(200) - pi(100) = 46 - 25
    assertEquals(21L, Driver.runToEnd(new PrimeCount(100, 200)));
    // [2, 3) holds the prime 2; [7919, 7920) the 1000th prime
    assertEquals(1L, Driver.runToEnd(new PrimeCount(2, 3)));
    assertEquals(1L, Driver.runToEnd(new PrimeCount(7919, 7920)));
  }

  @Test
  void anEmptyRangeIsDoneAtOnceWithFullProgress() throws Exception {
    Driver d = new Driver();
    assertEquals(0L, d.run(new PrimeCount(50, 50), 1));
    assertEquals(1.0, d.lastProgress());
  }

  @Test
  void primalityOfKnownNumbers() {
    for (long p : new long[] {2, 3, 5, 7, 97, 7919, 1_000_000_007L}) {
      assertTrue(PrimeCount.isPrime(p), p + " is prime");
    }
    for (long c : new long[] {0, 1, 4, 9, 91, 7917, 1_000_000_007L * 3}) {
      assertFalse(PrimeCount.isPrime(c), c + " is not prime");
    }
  }

  @Test
  void rejectsABadRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PrimeCount(10, 5));
    assertTrue(e.getMessage().contains("[10, 5)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PrimeCount(-1, 5));
  }
}
