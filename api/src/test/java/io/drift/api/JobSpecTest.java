package io.drift.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.units.PrimeCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobSpecTest {

  private final WorkUnit<Long> unit = new PrimeCount(0, 10);

  @Test
  void ofNamesTheJobAfterTheUnitClassMigratableWithNoMemory() {
    JobSpec<Long> spec = JobSpec.of(unit);
    assertSame(unit, spec.unit());
    assertEquals("PrimeCount", spec.name());
    assertEquals(0, spec.memoryMb());
    assertTrue(spec.migratable());
  }

  @Test
  void withersChangeOneComponentAndKeepTheRest() {
    JobSpec<Long> base = JobSpec.of(unit);

    JobSpec<Long> named = base.withName("primes below ten");
    assertEquals(new JobSpec<>(unit, "primes below ten", 0, true), named);

    JobSpec<Long> big = named.withMemoryMb(512);
    assertEquals(new JobSpec<>(unit, "primes below ten", 512, true), big);

    JobSpec<Long> pinned = big.withMigratable(false);
    assertEquals(new JobSpec<>(unit, "primes below ten", 512, false), pinned);

    // records are values: the original is untouched
    assertEquals("PrimeCount", base.name());
    assertTrue(big.migratable());
    assertFalse(pinned.migratable());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t\n"})
  void blankNameIsRejected(String blank) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new JobSpec<>(unit, blank, 0, true));
    assertEquals("a job name must not be blank", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JobSpec.of(unit).withName(blank));
  }

  @Test
  void negativeMemoryIsRejectedWithTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new JobSpec<>(unit, "j", -1, true));
    assertTrue(e.getMessage().contains("-1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JobSpec.of(unit).withMemoryMb(-5));
    assertEquals(0, JobSpec.of(unit).withMemoryMb(0).memoryMb());
  }

  @Test
  void nullUnitOrNameIsRejected() {
    assertThrows(NullPointerException.class, () -> new JobSpec<Long>(null, "j", 0, true));
    assertThrows(NullPointerException.class, () -> JobSpec.of(null));
    assertThrows(NullPointerException.class, () -> new JobSpec<>(unit, null, 0, true));
  }
}
