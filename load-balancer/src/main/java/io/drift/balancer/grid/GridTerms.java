package io.drift.balancer.grid;

import io.drift.balancer.NodeNames;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
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

  /** The cluster (data center) of {@code node} ({@code host:port}), or null if no member. */
  public static String clusterOf(ActorSystem<?> system, String node) {
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (NodeNames.of(m.address()).equals(node)) {
        return m.dataCenter();
      }
    }
    return null;
  }

  /**
   * Why this node takes no guest whose home is {@code homeNode}, by its cluster's table, or
   * null: a job of its own cluster always, a partner's only if the table takes it.
   */
  public static String refusal(ActorSystem<?> system, PartnerTable terms, String homeNode) {
    String home = clusterOf(system, homeNode);
    if (home == null || home.equals(terms.self()) || terms.takesFrom(home, 0)) {
      return null;
    }
    return "cluster " + terms.self() + " takes no guests from cluster " + home
        + " (" + PATH + ")";
  }
}
