package io.drift.migration.executor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of state transfers, from {@code drift.migration}.
 *
 * @param sideChannelMinBytes states of at least this size go over the side channel; -1 when
 *     the side channel is off
 * @param sideChannelPort port of this node's side channel (0: any free one)
 * @param sideChannelMaxRate bytes per second one transfer may send over it; 0: no limit
 */
public record MigrationSettings(int chunkBytes, int windowChunks, Duration reserveTimeout,
    Duration transferTimeout, long maxStateBytes, long sideChannelMinBytes, int sideChannelPort,
    long sideChannelMaxRate) {

  /** Chunks over Artery only: no side channel. */
  public MigrationSettings(int chunkBytes, int windowChunks, Duration reserveTimeout,
      Duration transferTimeout, long maxStateBytes) {
    this(chunkBytes, windowChunks, reserveTimeout, transferTimeout, maxStateBytes, -1, 0, 0);
  }

  public boolean sideChannel() {
    return sideChannelMinBytes >= 0;
  }

  public MigrationSettings {
    if (chunkBytes < 1024 || chunkBytes > 192 * 1024) {
      throw new ConfigException.BadValue("drift.migration.chunk-bytes",
          "must be 1KiB..192KiB (Artery frames are 256KiB)");
    }
    if (windowChunks < 1) {
      throw new ConfigException.BadValue("drift.migration.window-chunks", "must be >= 1");
    }
    if (reserveTimeout.isNegative() || reserveTimeout.isZero()) {
      throw new ConfigException.BadValue("drift.migration.reserve-timeout", "must be > 0");
    }
    if (transferTimeout.compareTo(reserveTimeout) < 0) {
      throw new ConfigException.BadValue("drift.migration.transfer-timeout",
          "must be >= reserve-timeout");
    }
    if (maxStateBytes < 1024 || maxStateBytes > Integer.MAX_VALUE - 8) {
      throw new ConfigException.BadValue("drift.migration.max-state-bytes", "must be 1KiB..2GiB");
    }
    if (sideChannelMaxRate < 0) {
      throw new ConfigException.BadValue("drift.migration.side-channel.max-rate",
          "must be >= 0 (bytes per second; 0: no limit)");
    }
    if (sideChannelPort < 0 || sideChannelPort > 65535) {
      throw new ConfigException.BadValue("drift.migration.side-channel.port", "must be 0..65535");
    }
  }

  public static MigrationSettings fromConfig(Config root) {
    String p = "drift.migration.";
    return new MigrationSettings(root.getBytes(p + "chunk-bytes").intValue(),
        root.getInt(p + "window-chunks"), root.getDuration(p + "reserve-timeout"),
        root.getDuration(p + "transfer-timeout"), root.getBytes(p + "max-state-bytes"),
        root.getBoolean(p + "side-channel.enabled") ? root.getBytes(p + "side-channel.min-bytes") : -1,
        root.getInt(p + "side-channel.port"), root.getBytes(p + "side-channel.max-rate"));
  }
}
