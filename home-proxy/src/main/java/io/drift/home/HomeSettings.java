package io.drift.home;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/** Settings of the home proxies, from {@code drift.home}. */
public record HomeSettings(
    Duration startTimeout,
    Duration retryInterval,
    int maxKeptLines,
    int maxKeptLinesFinished,
    int retainFinished) {

  public HomeSettings {
    if (startTimeout.isNegative() || startTimeout.isZero()) {
      throw new ConfigException.BadValue("drift.home.start-timeout", "must be > 0");
    }
    if (retryInterval.isNegative() || retryInterval.isZero()) {
      throw new ConfigException.BadValue("drift.home.retry-interval", "must be > 0");
    }
    if (maxKeptLines < 0) {
      throw new ConfigException.BadValue("drift.home.max-kept-lines", "must be >= 0");
    }
    if (maxKeptLinesFinished < 0 || maxKeptLinesFinished > maxKeptLines) {
      throw new ConfigException.BadValue("drift.home.max-kept-lines-finished",
          "must be 0..max-kept-lines");
    }
    if (retainFinished < 0) {
      throw new ConfigException.BadValue("drift.home.retain-finished", "must be >= 0");
    }
  }

  public static HomeSettings fromConfig(Config root) {
    // full paths, so an error names the whole key
    String p = "drift.home.";
    return new HomeSettings(root.getDuration(p + "start-timeout"),
        root.getDuration(p + "retry-interval"), root.getInt(p + "max-kept-lines"),
        root.getInt(p + "max-kept-lines-finished"), root.getInt(p + "retain-finished"));
  }
}
