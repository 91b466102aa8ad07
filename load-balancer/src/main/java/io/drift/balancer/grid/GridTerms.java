package io.drift.balancer.grid;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A node's place in its grid: its cluster is its Pekko data center
 * ({@code pekko.cluster.multi-data-center.self-data-center}), its terms with the others are
 * {@code drift.grid.partners} (decision 0023).
 */
public final class GridTerms {
  private GridTerms() {}

  public static final String PATH = "drift.grid.partners";

  /** This node's cluster and its partner table, from its configuration. */
  public static PartnerTable of(ActorSystem<?> system) {
    return PartnerTable.fromConfig(Cluster.get(system).selfMember().dataCenter(),
        system.settings().config(), PATH);
  }
}
