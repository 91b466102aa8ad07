package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ExecutorSettingsTest {

  @Test
  void theDefaultsInReferenceConfAreReadIntoTheRightSettings() {
    ExecutorSettings s = ExecutorSettings.fromConfig(ConfigFactory.load(), 4);
    assertEquals(new ExecutorSettings(4, Duration.ofMillis(50), Duration.ofMillis(500), 256,
        64 * 1024, 4096, Duration.ofSeconds(30), 8192, 128 * 1024, 10_000, true,
        Duration.ofSeconds(10), 20_000), s);
    assertEquals(3, s.withSlots(3).slots());
    assertEquals(20_000, s.withSlots(3).withCheckpointInterval(Duration.ZERO)
        .maxLinesPerSecond());
    assertEquals(s.checkpointInterval(), s.withSlots(3).checkpointInterval());
    assertEquals(Duration.ofSeconds(2),
        s.withCheckpointInterval(Duration.ofSeconds(2)).withSlots(3).checkpointInterval());
    assertEquals(s.outputWindowLines(), s.withSlots(3).outputWindowLines());
  }

  @Test
  void overridesAreRead() {
    ExecutorSettings s = ExecutorSettings.fromConfig(ConfigFactory.parseString(
        "drift.executor { time-slice = 5ms, output-batch-bytes = 2KiB, accept-guests = off }")
        .withFallback(ConfigFactory.load()), 1);
    assertEquals(Duration.ofMillis(5), s.timeSlice());
    assertEquals(2048, s.outputBatchBytes());
    assertEquals(false, s.acceptGuests());
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertBad("drift.node.slots", () -> settings(0, 16, 1024, 64, 100, 100));
    assertBad("drift.executor.output-batch-lines", () -> settings(1, 0, 1024, 64, 100, 100));
    assertBad("drift.executor.output-batch-bytes", () -> settings(1, 16, 1023, 64, 100, 100));
    assertBad("drift.executor.output-batch-bytes", () -> settings(1, 16, 128 * 1024 + 1, 64, 100, 100));
    assertBad("drift.executor.output-window-lines", () -> settings(1, 16, 1024, 15, 100, 100));
    assertBad("drift.executor.max-line-chars", () -> settings(1, 16, 1024, 64, 79, 100));
    assertBad("drift.executor.max-runnable", () -> settings(4, 16, 1024, 64, 100, 3));
    assertBad("drift.executor.max-result-bytes", () -> new ExecutorSettings(1,
        Duration.ofMillis(10), Duration.ofMillis(10), 16, 1024, 64, Duration.ofSeconds(1), 100,
        161 * 1024, 100, true));
    assertBad("drift.executor.time-slice", () -> new ExecutorSettings(1, Duration.ZERO,
        Duration.ofMillis(10), 16, 1024, 64, Duration.ofSeconds(1), 100, 128 * 1024, 100, true));
  }

  private static ExecutorSettings settings(int slots, int batchLines, int batchBytes, int window,
      int maxLineChars, int maxRunnable) {
    return new ExecutorSettings(slots, Duration.ofMillis(10), Duration.ofMillis(10), batchLines,
        batchBytes, window, Duration.ofSeconds(1), maxLineChars, 128 * 1024, maxRunnable, true);
  }

  private static void assertBad(String key, Runnable make) {
    ConfigException.BadValue e = assertThrows(ConfigException.BadValue.class, make::run);
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
