package io.drift.balancer;

import java.util.HashMap;
import java.util.Map;

/**
 * This node's placements that the targets' samples do not show yet. Samples are stale (taken
 * every {@code drift.load.interval}, spread by Distributed Data every half second or so), so
 * without this a burst of submissions would all go to the node that looked idlest.
 *
 * <p>Each sample carries its node's {@code admitted} counter (units ever accepted). Placements
 * to a node count until its counter has grown by as many since the first of them: a sample
 * that shows k more admissions carries at least k more units of load, whoever placed them. A
 * placement that never shows (a refused start, a node that stopped sampling) is forgotten
 * {@code memoryNanos} after the last placement there. Not thread-safe: one actor owns it.
 */
public final class RecentPlacements {

  private static final class Pending {
    long base; // the node's admitted counter when the first of these placements was made
    int count;
    long lastAtNanos;
  }

  private final long memoryNanos;
  private final Map<String, Pending> pending = new HashMap<>();

  public RecentPlacements(long memoryNanos) {
    this.memoryNanos = memoryNanos;
  }

  /** A unit was placed on {@code node}, whose latest sample showed {@code admitted}. */
  public void placed(String node, long admitted, long nowNanos) {
    Pending p = pending.computeIfAbsent(node, k -> new Pending());
    if (p.count == 0) {
      p.base = admitted;
    }
    p.count++;
    p.lastAtNanos = nowNanos;
  }

  /** Placements on {@code node} that a sample showing {@code admitted} does not include. */
  public int unseen(String node, long admitted, long nowNanos) {
    Pending p = pending.get(node);
    if (p == null) {
      return 0;
    }
    long unseen = p.count - (admitted - p.base);
    if (unseen <= 0 || nowNanos - p.lastAtNanos > memoryNanos) {
      pending.remove(node);
      return 0;
    }
    return (int) unseen;
  }
}
