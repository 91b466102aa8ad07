package io.drift.migration;

import java.time.Duration;

/** Durations as people write them in config files: {@code 8s}, {@code 250ms}. */
public final class Durations {
  private Durations() {}

  public static String text(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }
}
