package io.drift.balancer.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * MOSIX's migration decision, one move per node per tick, as a pure function: the balancer actor
 * and the simulator call it with what they know, their clock already applied (ages, residency)
 * and their random source. In order:
 *
 * <ol>
 *   <li>Only units that are not pinned are candidates; for load, only those past the minimum
 *       residency (against ping-pong).
 *   <li>Memory ushering comes first: a node short of free memory pushes the unit that relieves
 *       it best to the peer where it adds least cost and that keeps its own reserve with it.
 *   <li>Load: from a random subset of the window (against herding), a unit moves only if
 *       its leaving takes more opportunity cost off this node than it adds at the target even
 *       counted as {@link PolicyConfig#marginUnits} units ({@link MosixRule#allowsMove}, MOSIX's
 *       "target plus 1.3 units below local" in cost), and the time the move is expected to save
 *       (the unit's work so far, MOSIX's predictor, times the cost it takes off here less the
 *       cost it adds there) beats the pause of moving it (state size over bandwidth). Among the
 *       allowed targets the one with the least opportunity cost; among units the one with the
 *       largest net gain.
 *   <li>Guests leave before local units: a node's own work keeps its place.
 * </ol>
 */
public final class MigrationPolicy {
  private MigrationPolicy() {}

  public static MigrationDecision decide(LocalView local, List<PeerView> window, PolicyConfig cfg,
      RandomGenerator random) {
    String self = local.node();
    List<PeerView> peers = new ArrayList<>(window.size());
    for (PeerView p : window) {
      if (!p.node().equals(self) && p.acceptsGuests() && p.ageIntervals() <= cfg.maxAgeIntervals()) {
        peers.add(p);
      }
    }
    if (local.units().isEmpty()) {
      return MigrationDecision.none(self, "no units here");
    }
    if (peers.isEmpty()) {
      return MigrationDecision.none(self, "no peer in the window takes guests");
    }
    long low = (long) (cfg.memoryLowFraction() * local.totalMemoryBytes());
    if (local.totalMemoryBytes() > 0 && local.freeMemoryBytes() < low) {
      return usher(local, peers, low - local.freeMemoryBytes(), cfg);
    }
    return byLoad(local, sample(peers, cfg.subsetSize(), random), cfg);
  }

  /** Memory ushering: needs {@code need} more bytes free. */
  private static MigrationDecision usher(LocalView local, List<PeerView> peers, long need,
      PolicyConfig cfg) {
    // the unit that relieves the shortage with the least memory moved; if none does alone, the
    // largest; guests first
    UnitView best = null;
    for (UnitView u : local.units()) {
      if (u.pinned() || u.memoryBytes() <= 0) {
        continue;
      }
      if (best == null || betterToUsher(u, best, need)) {
        best = u;
      }
    }
    if (best == null) {
      return MigrationDecision.none(local.node(),
          "memory short by %d MB, but no movable unit holds memory", need >> 20);
    }
    PeerView target = null;
    double targetCost = Double.POSITIVE_INFINITY;
    for (PeerView p : peers) {
      long reserve = (long) (cfg.memoryLowFraction() * p.totalMemoryBytes());
      if (p.freeMemoryBytes() - best.memoryBytes() < reserve) {
        continue; // no node accepts what it cannot hold
      }
      double c = OpportunityCost.marginal(p, best.memoryBytes(), cfg);
      if (c < targetCost) {
        target = p;
        targetCost = c;
      }
    }
    if (target == null) {
      return MigrationDecision.none(local.node(),
          "memory short by %d MB; no peer in the window can hold unit %s (%d MB)", need >> 20,
          best.id(), best.memoryBytes() >> 20);
    }
    double cost = MosixRule.moveCostSeconds(best.stateBytes(), target.bandwidth(cfg),
        cfg.fixedMoveSeconds());
    return new MigrationDecision(local.node(), best.id(), target.node(), "memory",
        new MigrationDecision.Why("memory ushering: %d MB free, %d MB short; unit %s holds %d MB;"
                + " %s has %d MB free", local.freeMemoryBytes() >> 20, need >> 20, best.id(),
            best.memoryBytes() >> 20, target.node(), target.freeMemoryBytes() >> 20), 0, cost);
  }

  private static boolean betterToUsher(UnitView u, UnitView best, long need) {
    if (u.guest() != best.guest()) {
      return u.guest();
    }
    boolean uEnough = u.memoryBytes() >= need;
    boolean bEnough = best.memoryBytes() >= need;
    if (uEnough != bEnough) {
      return uEnough;
    }
    return uEnough ? u.memoryBytes() < best.memoryBytes() : u.memoryBytes() > best.memoryBytes();
  }

  private static MigrationDecision byLoad(LocalView local, List<PeerView> subset,
      PolicyConfig cfg) {
    double relief = MosixRule.relief(local.runnable(), local.speed(), local.slots());
    int young = 0;
    int pinned = 0;
    MigrationDecision best = null;
    double bestNet = 0;
    MigrationDecision.Why lastRefusal = null;
    for (int pass = 0; pass < 2 && best == null; pass++) {
      boolean guests = pass == 0; // guests leave first
      for (UnitView u : local.units()) {
        if (u.guest() != guests) {
          continue;
        }
        if (u.pinned()) {
          pinned++;
          continue;
        }
        if (u.residencySeconds() < cfg.minResidencySeconds()) {
          young++;
          continue;
        }
        PeerView target = null;
        double targetScore = Double.POSITIVE_INFINITY;
        double targetGain = 0;
        double targetCost = 0;
        for (PeerView p : subset) {
          // per peer: one in another cluster may be reached over a slower link
          double cost = MosixRule.moveCostSeconds(u.stateBytes(), p.bandwidth(cfg),
              cfg.fixedMoveSeconds());
          if (!MosixRule.allowsMove(local.localRunQueue(), local.speed(), local.slots(),
              p.runQueue(), p.speed(), p.slots(), cfg.marginUnits())) {
            lastRefusal = new MigrationDecision.Why("%s too loaded: %.1f units + %.1f on %d"
                    + " slots of speed %.1f, against %.1f units on %d of speed %.1f here",
                p.node(), p.runQueue(), cfg.marginUnits(), p.slots(), p.speed(),
                local.localRunQueue(), local.slots(), local.speed());
            continue;
          }
          if (local.totalMemoryBytes() > 0 && u.memoryBytes() > 0 && p.freeMemoryBytes()
              - u.memoryBytes() < (long) (cfg.memoryLowFraction() * p.totalMemoryBytes())) {
            lastRefusal = new MigrationDecision.Why("%s cannot hold unit %s", p.node(), u.id());
            continue;
          }
          double gain = MosixRule.expectedGainSeconds(u.cpuSeconds(), relief,
              MosixRule.burden(p.runQueue(), p.speed(), p.slots()));
          if (!(gain > cost)) {
            lastRefusal = new MigrationDecision.Why(
                "unit %s would save %.3f s on %s, moving costs %.3f s", u.id(), gain, p.node(),
                cost);
            continue;
          }
          double score = OpportunityCost.marginal(p, u.memoryBytes(), cfg);
          if (score < targetScore) {
            target = p;
            targetScore = score;
            targetGain = gain;
            targetCost = cost;
          }
        }
        double cost = targetCost;
        if (target != null && targetGain - cost > bestNet) {
          bestNet = targetGain - cost;
          best = new MigrationDecision(local.node(), u.id(), target.node(), "load",
              new MigrationDecision.Why("run queue %.1f here (speed %.1f, %d slots); %s at %.1f"
                      + " (speed %.1f, %d slots); unit %s (%.2f s of work done, %.1f s here)"
                      + " saves %.3f s, moving costs %.3f s%s",
                  local.localRunQueue(), local.speed(), local.slots(), target.node(),
                  target.runQueue(), target.speed(), target.slots(), u.id(), u.cpuSeconds(),
                  u.residencySeconds(), targetGain, cost, u.guest() ? " (a guest)" : ""),
              targetGain, cost);
        }
      }
    }
    if (best != null) {
      return best;
    }
    return MigrationDecision.none(local.node(), "stays%s%s%s%s",
        lastRefusal == null ? "" : ": ", lastRefusal == null ? "" : lastRefusal,
        young == 0 ? "" : "; " + young + " unit(s) below the minimum residency",
        pinned == 0 ? "" : "; " + pinned + " pinned");
  }

  /** Up to {@code k} of {@code peers}, drawn uniformly without replacement. */
  static List<PeerView> sample(List<PeerView> peers, int k, RandomGenerator random) {
    if (peers.size() <= k) {
      return peers;
    }
    List<PeerView> pool = new ArrayList<>(peers);
    for (int i = 0; i < k; i++) {
      int j = i + random.nextInt(pool.size() - i);
      PeerView t = pool.get(i);
      pool.set(i, pool.get(j));
      pool.set(j, t);
    }
    return pool.subList(0, k);
  }
}
