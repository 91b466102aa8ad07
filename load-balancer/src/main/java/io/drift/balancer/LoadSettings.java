package io.drift.balancer;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of the load monitor and balancer, from {@code drift.load} and {@code drift.balancer}.
 *
 * @param refresh how often an unchanged sample is written to Distributed Data again
 */
public record LoadSettings(Duration sampleInterval, Duration placementMemory, Duration refresh) {

  public LoadSettings {
    if (sampleInterval.isNegative() || sampleInterval.isZero()) {
      throw new ConfigException.BadValue("drift.load.interval", "must be > 0");
    }
    if (refresh.isNegative() || refresh.isZero()) {
      throw new ConfigException.BadValue("drift.load.refresh", "must be > 0");
    }
    if (placementMemory.isNegative()) {
      throw new ConfigException.BadValue("drift.balancer.placement-memory", "must be >= 0");
    }
  }

  public static LoadSettings fromConfig(Config root) {
    return new LoadSettings(root.getDuration("drift.load.interval"),
        root.getDuration("drift.balancer.placement-memory"), root.getDuration("drift.load.refresh"));
  }
}
