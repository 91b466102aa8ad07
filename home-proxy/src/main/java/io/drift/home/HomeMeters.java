package io.drift.home;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * What a home node counts for {@code /metrics}, on Micrometer's global registry, tagged with the
 * node (a JVM may run several; each node's endpoint keeps its own). Without a registry added
 * (module tests), every call is a no-op.
 */
final class HomeMeters {
  private HomeMeters() {}

  /** A job moved ({@code move}) or was frozen to disk ({@code freeze}): count, bytes, pause. */
  static void migrated(String node, String kind, long bytes, long pausedNanos) {
    Metrics.counter("drift.migrations", "node", node, "kind", kind).increment();
    DistributionSummary.builder("drift.migration.bytes").baseUnit("bytes")
        .description("state bytes moved per migration").tags("node", node, "kind", kind)
        .register(Metrics.globalRegistry).record(bytes);
    Timer.builder("drift.migration.pause")
        .description("how long the unit stood still for its move (MOSIX's freeze time)")
        .tags("node", node, "kind", kind)
        .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30))
        .register(Metrics.globalRegistry).record(Duration.ofNanos(Math.max(0, pausedNanos)));
  }

  /** A checkpoint kept at home. */
  static void checkpoint(String node, long bytes) {
    DistributionSummary.builder("drift.checkpoint.bytes").baseUnit("bytes")
        .description("size of the checkpoints home keeps").tags("node", node)
        .serviceLevelObjectives(1024, 16 * 1024, 128 * 1024, 1 << 20, 16 << 20, 128 << 20)
        .register(Metrics.globalRegistry).record(bytes);
  }

  /** Bytes a job read ({@code read}) or wrote ({@code write}) in its home workspace. */
  static void io(String node, String direction, long bytes) {
    if (bytes > 0) {
      Metrics.counter("drift.home.io.bytes", "node", node, "direction", direction)
          .increment(bytes);
    }
  }
}
