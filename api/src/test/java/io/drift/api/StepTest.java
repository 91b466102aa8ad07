package io.drift.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class StepTest {

  @Test
  void moreIsOneSharedInstance() {
    Step<Long> a = Step.more();
    Step<String> b = Step.more();
    assertSame(a, b);
    assertSame(Step.MORE, a);
    assertInstanceOf(Step.More.class, a);
  }

  @Test
  void doneCarriesItsResultNullIncluded() {
    Step<Long> d = Step.done(42L);
    assertEquals(new Step.Done<>(42L), d);
    assertEquals(42L, ((Step.Done<Long>) d).result());
    assertNull(((Step.Done<Object>) Step.done(null)).result());
  }
}
