package io.drift.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;

/**
 * How a node joins its cluster ({@code drift.node.join}): by the seed nodes in its config, or
 * by Pekko Management Cluster Bootstrap, which finds the other nodes through service discovery
 * (the Kubernetes API in {@code conf/k8s.conf}) and lets the lowest address form the cluster.
 *
 * <p>Bootstrap needs two things from the node: its contact-point route
 * ({@code GET /bootstrap/seed-nodes}, among {@code PekkoManagement.getRoutes()}, which
 * {@link DriftNode} serves itself) and its own contact point, which the same
 * {@code getRoutes()} call records from {@code pekko.management.http.hostname:port}. So
 * {@code PekkoManagement.start()} is not needed (it would bind a second server on the port),
 * but management must be on, and that hostname must be the address discovery returns for this
 * pod: its IP, not loopback or 0.0.0.0, or no node recognises itself as the lowest.
 */
public enum JoinMode {
  /** {@code pekko.cluster.seed-nodes}; none: this node starts a cluster of its own. */
  SEED_NODES,
  /** Cluster Bootstrap: seed nodes must be empty, management on. */
  BOOTSTRAP;

  static final String KEY = "drift.node.join";

  /**
   * The join mode, checked against the rest of the config before anything starts.
   *
   * @throws ConfigException.BadValue naming the key that is wrong
   */
  public static JoinMode fromConfig(Config c) {
    String mode = c.getString(KEY).trim();
    switch (mode) {
      case "seed-nodes":
        return SEED_NODES;
      case "bootstrap":
        if (!c.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
          // Pekko's bootstrap would only log a warning and join the seed nodes
          throw new ConfigException.BadValue("pekko.cluster.seed-nodes",
              "must be empty when " + KEY + " = bootstrap");
        }
        if (!c.getBoolean("drift.node.management")) {
          throw new ConfigException.BadValue("drift.node.management",
              "must be on when " + KEY + " = bootstrap: nodes find each other over management"
                  + " HTTP");
        }
        return BOOTSTRAP;
      default:
        throw new ConfigException.BadValue(KEY,
            "must be seed-nodes or bootstrap, not '" + mode + "'");
    }
  }

  /**
   * Starts joining. Seed nodes in the config Pekko joins by itself; with none, this node joins
   * itself. Bootstrap waits for its contact point, which is known once the management routes
   * are served, so this may run just before they are.
   */
  public void start(ActorSystem<?> system, Config config) {
    if (this == BOOTSTRAP) {
      ClusterBootstrap.get(system).start();
    } else if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /**
   * Where management HTTP binds: Pekko's {@code bind-hostname} when set (0.0.0.0 on
   * Kubernetes, so that {@code kubectl port-forward}, which connects to the pod's loopback,
   * reaches it too), else {@code hostname}, which stays the address others are told.
   */
  public static String bindHostname(Config config) {
    String bind = config.getString("pekko.management.http.bind-hostname").trim();
    return bind.isEmpty() ? config.getString("pekko.management.http.hostname") : bind;
  }
}
