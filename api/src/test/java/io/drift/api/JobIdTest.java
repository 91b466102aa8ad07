package io.drift.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobIdTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "Z", "7", "job-1", "a.b_c-d", "0123456789abcdef", "A-"})
  void acceptsLettersDigitsDotUnderscoreDash(String value) {
    JobId id = JobId.of(value);
    assertEquals(value, id.value());
    assertEquals(value, id.toString());
  }

  @Test
  void acceptsSixtyFourCharactersButNotSixtyFive() {
    String max = "a".repeat(64);
    assertEquals(max, new JobId(max).value());
    String tooLong = "a".repeat(65);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new JobId(tooLong));
    assertTrue(e.getMessage().contains(tooLong), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-a", ".a", "_a", "a b", "a/b", "a:b", "a\nb", "é", "job*", " a"})
  void rejectsBadIdsWithAMessageShowingTheValue(String value) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JobId.of(value));
    assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("1-64 letters, digits"), e.getMessage());
  }

  @Test
  void rejectsNull() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> new JobId(null));
    assertEquals("job id", e.getMessage());
  }

  @Test
  void randomIdsAreTwelveHexDigitsAndDistinct() {
    Set<JobId> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      JobId id = JobId.random();
      assertTrue(id.value().matches("[0-9a-f]{12}"), id.value());
      seen.add(id);
    }
    // 1000 draws from 2^48 values: a collision has probability below 2e-9
    assertEquals(1000, seen.size());
  }

  @Test
  void equalityAndOrderFollowTheValue() {
    assertEquals(JobId.of("abc"), new JobId("abc"));
    assertEquals(JobId.of("abc").hashCode(), new JobId("abc").hashCode());
    assertNotEquals(JobId.of("abc"), JobId.of("ABC"));
    assertTrue(JobId.of("a1").compareTo(JobId.of("a2")) < 0);
    assertTrue(JobId.of("b").compareTo(JobId.of("a")) > 0);
    assertEquals(0, JobId.of("x").compareTo(JobId.of("x")));
  }
}
