package io.drift.home;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/** Settings of the home proxies, from {@code drift.home}. */
public record HomeSettings(
    Duration startTimeout,
    Duration retryInterval,
    int maxKeptLines,
    int maxKeptLinesFinished,
    int retainFinished,
    Path workspaceRoot,
    long maxFileBytes,
    int maxJobs,
    Duration queueInterval) {

  /** The batch queue looks for room every second. */
  public HomeSettings(Duration startTimeout, Duration retryInterval, int maxKeptLines,
      int maxKeptLinesFinished, int retainFinished, Path workspaceRoot, long maxFileBytes,
      int maxJobs) {
    this(startTimeout, retryInterval, maxKeptLines, maxKeptLinesFinished, retainFinished,
        workspaceRoot, maxFileBytes, maxJobs, Duration.ofSeconds(1));
  }

  /** At most 100,000 unfinished jobs homed at one node. */
  public HomeSettings(Duration startTimeout, Duration retryInterval, int maxKeptLines,
      int maxKeptLinesFinished, int retainFinished, Path workspaceRoot, long maxFileBytes) {
    this(startTimeout, retryInterval, maxKeptLines, maxKeptLinesFinished, retainFinished,
        workspaceRoot, maxFileBytes, 100_000);
  }

  /** The defaults for the job's files: a workspace under the temporary directory, 1 GiB. */
  public HomeSettings(Duration startTimeout, Duration retryInterval, int maxKeptLines,
      int maxKeptLinesFinished, int retainFinished) {
    this(startTimeout, retryInterval, maxKeptLines, maxKeptLinesFinished, retainFinished,
        Path.of(System.getProperty("java.io.tmpdir"), "drift-workspace"), 1L << 30);
  }

  public HomeSettings {
    if (startTimeout.isNegative() || startTimeout.isZero()) {
      throw new ConfigException.BadValue("drift.home.start-timeout", "must be > 0");
    }
    if (queueInterval.isNegative() || queueInterval.isZero()) {
      throw new ConfigException.BadValue("drift.home.queue-interval", "must be > 0");
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
    if (maxFileBytes < 1) {
      throw new ConfigException.BadValue("drift.home.max-file-bytes", "must be >= 1");
    }
    if (maxJobs < 1) {
      throw new ConfigException.BadValue("drift.home.max-jobs", "must be >= 1");
    }
  }

  public static HomeSettings fromConfig(Config root) {
    // full paths, so an error names the whole key
    String p = "drift.home.";
    return new HomeSettings(root.getDuration(p + "start-timeout"),
        root.getDuration(p + "retry-interval"), root.getInt(p + "max-kept-lines"),
        root.getInt(p + "max-kept-lines-finished"), root.getInt(p + "retain-finished"),
        workspaceRoot(root.getString(p + "workspace-root")), root.getBytes(p + "max-file-bytes"),
        root.getInt(p + "max-jobs"), root.getDuration(p + "queue-interval"));
  }

  private static Path workspaceRoot(String dir) {
    try {
      return Path.of(dir).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new ConfigException.BadValue("drift.home.workspace-root",
          "not a path: " + e.getMessage());
    }
  }
}
