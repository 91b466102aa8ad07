package io.drift.balancer.grid;

import io.drift.balancer.NodeNames;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A node's current terms with its grid, one per actor system: its cluster's {@link PartnerTable}
 * (from {@code drift.grid.partners} at start, then as its cluster's owner changes it, through
 * {@link GridKeeper}) and the cluster of each member. The balancer and the executor's guest gate
 * read it on every decision; it is never stale by more than one Distributed Data round.
 */
public final class GridView implements Extension {

  private static final ExtensionId<GridView> ID = new ExtensionId<>() {
    @Override
    public GridView createExtension(ActorSystem<?> system) {
      return new GridView(system);
    }
  };

  public static GridView get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private volatile PartnerTable table;
  private final Map<String, String> clusterOfNode = new ConcurrentHashMap<>();
  private final List<Consumer<PartnerTable>> listeners = new CopyOnWriteArrayList<>();

  private GridView(ActorSystem<?> system) {
    this.system = system;
    this.table = GridTerms.of(system);
  }

  public PartnerTable table() {
    return table;
  }

  public String self() {
    return table.self();
  }

  /** Sets the table; listeners hear of a change (not of the same table again). */
  void set(PartnerTable next) {
    if (!next.self().equals(table.self())) {
      throw new IllegalArgumentException("a table of cluster " + next.self() + " is not "
          + table.self() + "'s");
    }
    if (next.equals(table)) {
      return;
    }
    table = next;
    listeners.forEach(l -> l.accept(next));
  }

  /** Called with each new table, on the thread that set it. */
  public void onChange(Consumer<PartnerTable> listener) {
    listeners.add(listener);
  }

  /** Each partner's measured bandwidth, bytes a second, smoothed; absent until measured. */
  private final Map<String, Double> bandwidth = new ConcurrentHashMap<>();

  /**
   * Transfers smaller than this say more of latency than of bandwidth, and are not counted: a
   * move's fixed part is the policy's {@code fixed-move-cost}.
   */
  static final long MIN_MEASURED_BYTES = 64 * 1024;

  /**
   * A move this node sent to {@code targetNode} completed: {@code bytes} in {@code nanos}. Feeds
   * the measured bandwidth to the target's cluster (an exponential average, new moves
   * weighing a quarter).
   */
  public void transferred(String targetNode, long bytes, long nanos) {
    String dc = clusterOf(targetNode);
    if (dc == null || bytes < MIN_MEASURED_BYTES || nanos <= 0) {
      return;
    }
    double rate = bytes / (nanos / 1e9);
    bandwidth.merge(dc, rate, (old, now) -> 0.75 * old + 0.25 * now);
  }

  /** The measured bandwidth to {@code cluster} in bytes a second, or 0 if not measured yet. */
  public double bandwidthTo(String cluster) {
    return bandwidth.getOrDefault(cluster, 0.0);
  }

  /** Every cluster's measured bandwidth, for operators. */
  public Map<String, Double> bandwidths() {
    return Map.copyOf(bandwidth);
  }

  void memberSeen(Member m) {
    clusterOfNode.put(NodeNames.of(m.address()), m.dataCenter());
  }

  void memberGone(Member m) {
    clusterOfNode.remove(NodeNames.of(m.address()));
  }

  /** The cluster of {@code node} ({@code host:port}), or null if it is no member. */
  public String clusterOf(String node) {
    String dc = clusterOfNode.get(node);
    if (dc != null) {
      return dc;
    }
    for (Member m : Cluster.get(system).state().getMembers()) { // before the keeper has heard
      if (NodeNames.of(m.address()).equals(node)) {
        return m.dataCenter();
      }
    }
    return null;
  }

  /**
   * Why this node takes no guest whose home is {@code homeNode}, or null: a job of its own
   * cluster always; a partner's if the table takes that cluster's jobs, if, where the table
   * limits them, this node holds fewer than its share of the limit (the limit over the up nodes
   * of this cluster, rounded up: each node keeps to its share, so the cluster keeps to the
   * whole without counting across nodes), and, when the node is {@code full}, if no unit here
   * is of a cluster this one ranks ahead (local work first: its own, priority 0, then partners
   * by number). {@code unitHomes}: the homes of the units here.
   */
  public String refusal(String homeNode, List<String> unitHomes, boolean full) {
    PartnerTable t = table;
    String home = homeNode == null ? null : clusterOf(homeNode);
    if (home == null || home.equals(t.self())) {
      return null;
    }
    if (!t.takesFrom(home, 0)) {
      return "cluster " + t.self() + (t.isolated() ? " is isolated: it takes no guests"
          : " takes no guests from cluster " + home + " (" + GridTerms.PATH + ")");
    }
    int rank = t.priorityOf(home);
    int here = 0;
    int best = Integer.MAX_VALUE;
    for (String h : unitHomes) {
      String dc = clusterOf(h);
      if (home.equals(dc)) {
        here++;
      }
      best = Math.min(best, dc == null ? Integer.MAX_VALUE : t.priorityOf(dc));
    }
    if (full && best < rank) {
      return "local work first: every slot of this node is busy, and cluster " + t.self()
          + " ranks work here ahead of cluster " + home + "'s (priority " + rank + ")";
    }
    int max = t.maxGuestsOf(home);
    if (max == Integer.MAX_VALUE) {
      return null;
    }
    int share = share(max);
    return here < share ? null : "cluster " + t.self() + " holds at most " + max
        + " guests of cluster " + home + ", " + share + " on this node, which has " + here;
  }

  /** This node's share of a cluster-wide guest limit. */
  int share(int max) {
    int up = 0;
    String self = table.self();
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.dataCenter().equals(self)
          && (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())) {
        up++;
      }
    }
    return (int) Math.ceil(max / (double) Math.max(1, up));
  }
}
