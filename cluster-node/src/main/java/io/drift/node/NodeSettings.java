package io.drift.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.drift.balancer.LoadSettings;
import io.drift.balancer.SpeedCalibration;
import io.drift.balancer.gossip.GossipSettings;
import io.drift.balancer.policy.PolicyConfig;
import io.drift.home.HomeSettings;
import io.drift.migration.executor.ExecutorSettings;
import io.drift.migration.executor.MigrationSettings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a node reads from its configuration, checked once at start: a bad value stops the
 * node with a message that names its key, before any actor starts.
 */
public record NodeSettings(
    int slots,
    double speed,
    long memoryBytes,
    boolean management,
    int maxStateBytes,
    Duration createTimeout,
    ExecutorSettings executor,
    MigrationSettings migration,
    LoadSettings load,
    GossipSettings gossip,
    PolicyConfig policy,
    boolean migrate,
    int decisionsKept,
    String placement,
    HomeSettings home,
    Path frozenDir,
    Path codeDir,
    long maxCodeBytes,
    Path jobsDir) {

  /**
   * @throws ConfigException.BadValue or another {@link ConfigException} naming the key
   */
  public static NodeSettings fromConfig(Config c) {
    int slots = c.getInt("drift.node.slots");
    if (slots < 0) {
      throw new ConfigException.BadValue("drift.node.slots", "must be >= 0 (0: one per processor)");
    }
    if (slots == 0) {
      slots = Runtime.getRuntime().availableProcessors();
    }
    double speed = speed(c);
    long maxState = c.getBytes("drift.gateway.max-state-bytes");
    if (maxState < 1024 || maxState > 200 * 1024) {
      throw new ConfigException.BadValue("drift.gateway.max-state-bytes",
          "must be 1KiB..200KiB while states travel in one Artery message");
    }
    return new NodeSettings(slots, speed, memory(c), c.getBoolean("drift.node.management"),
        (int) maxState,
        c.getDuration("drift.gateway.create-timeout"),
        ExecutorSettings.fromConfig(c, slots), MigrationSettings.fromConfig(c),
        LoadSettings.fromConfig(c), GossipSettings.fromConfig(c), PolicyConfig.fromConfig(c),
        c.getBoolean("drift.balancer.migrate"), decisionsKept(c), placement(c),
        HomeSettings.fromConfig(c), dir(c, "drift.home.frozen-dir"), dir(c, "drift.home.code-dir"),
        maxCodeBytes(c), dir(c, "drift.home.jobs-dir"));
  }

  /**
   * {@code drift.node.memory}: {@code auto} gives units three quarters of the JVM's maximum
   * heap (the rest is the node's own, and room for states in transit, which a move holds more
   * than once), or a size.
   */
  private static long memory(Config c) {
    String key = "drift.node.memory";
    if (c.getString(key).trim().equals("auto")) {
      return Runtime.getRuntime().maxMemory() / 4 * 3;
    }
    long bytes;
    try {
      bytes = c.getBytes(key);
    } catch (ConfigException.BadValue e) {
      throw new ConfigException.BadValue(key, "must be auto or a size such as 512MiB");
    }
    if (bytes < (1L << 20)) {
      throw new ConfigException.BadValue(key, "must be auto or at least 1MiB, got " + bytes);
    }
    return bytes;
  }

  /** How long {@code drift.node.speed = auto} measures this node at start. */
  static final Duration CALIBRATION = Duration.ofMillis(300);

  /** A number, or {@code auto}: measured now by {@link SpeedCalibration}. */
  private static double speed(Config c) {
    String text = c.getString("drift.node.speed").trim();
    double speed;
    if (text.equalsIgnoreCase("auto")) {
      speed = SpeedCalibration.measure(CALIBRATION.toNanos()).speed();
    } else {
      try {
        speed = Double.parseDouble(text);
      } catch (NumberFormatException e) {
        speed = Double.NaN;
      }
    }
    if (!(speed > 0) || Double.isInfinite(speed)) {
      throw new ConfigException.BadValue("drift.node.speed",
          "must be a number > 0 or auto, was " + text);
    }
    return speed;
  }

  private static Path dir(Config c, String key) {
    String dir = c.getString(key);
    try {
      return Path.of(dir).toAbsolutePath();
    } catch (InvalidPathException e) {
      throw new ConfigException.BadValue(key, "not a path: " + e.getMessage());
    }
  }

  private static long maxCodeBytes(Config c) {
    long n = c.getBytes("drift.home.max-code-bytes");
    if (n < 1024) {
      throw new ConfigException.BadValue("drift.home.max-code-bytes", "must be >= 1KiB");
    }
    return n;
  }

  private static int decisionsKept(Config c) {
    int n = c.getInt("drift.balancer.decisions-kept");
    if (n < 1) {
      throw new ConfigException.BadValue("drift.balancer.decisions-kept", "must be >= 1");
    }
    return n;
  }

  private static String placement(Config c) {
    String p = c.getString("drift.balancer.placement");
    if (!p.equals("cost") && !p.equals("home-first") && !p.equals("round-robin")) {
      throw new ConfigException.BadValue("drift.balancer.placement",
          "must be cost, home-first or round-robin, was " + p);
    }
    return p;
  }
}
