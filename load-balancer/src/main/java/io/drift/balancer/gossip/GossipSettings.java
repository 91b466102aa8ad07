package io.drift.balancer.gossip;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The balancer's gossip ({@code drift.balancer.gossip}).
 *
 * @param interval one message per node per interval (MOSIX: 1 s)
 * @param window W, the freshest entries each message carries beside the sender's own
 * @param maxAge intervals after which a node not heard of is taken for gone
 * @param fromDistributedData whether samples that arrive through Distributed Data enter the
 *     window too (quicker in small clusters; off, the window hears only gossip)
 */
public record GossipSettings(Duration interval, int window, int maxAge,
    boolean fromDistributedData) {

  public GossipSettings {
    if (interval.isNegative() || interval.isZero()) {
      throw new ConfigException.BadValue("drift.balancer.gossip.interval", "must be > 0");
    }
    if (window < 1) {
      throw new ConfigException.BadValue("drift.balancer.gossip.window", "must be >= 1");
    }
    if (maxAge < 2) {
      throw new ConfigException.BadValue("drift.balancer.gossip.max-age", "must be >= 2");
    }
  }

  public static GossipSettings fromConfig(Config root) {
    Config c = root.getConfig("drift.balancer.gossip");
    return new GossipSettings(c.getDuration("interval"), c.getInt("window"), c.getInt("max-age"),
        c.getBoolean("from-distributed-data"));
  }
}
