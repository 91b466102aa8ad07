package io.drift.balancer.policy;

/**
 * The target's reserve-or-refuse check, on its own true state when a unit is about to come: news
 * travels slowly, so the sender's view may be stale, and many senders may pick the same idle node
 * at once (MOSIX: receiving is limited, with a reserve-on-accept handshake).
 */
public final class Admission {
  private Admission() {}

  /**
   * Tries of a placement: each refusal corrects one stale entry for a round trip (about a
   * millisecond on a LAN); the last try is not checked. Pareto sizes at 0.8 in the simulator,
   * 30,000 jobs: 3 tries gave 1.33 times the pooled ideal, 6 gave 1.21, 10 gave 1.17 and 20 no
   * better (1.18).
   */
  public static final int PLACEMENT_TRIES = 10;

  /**
   * A moving unit: the target can hold its memory and keep its reserve; it has fewer transfers
   * coming than free slots (at least one may always come), so an idle node is not flooded; and,
   * unless memory ushering sent it, the load test still holds against the sender's own view.
   *
   * @param runQueue units running or waiting at the target now, those coming included
   * @param coming transfers to the target reserved and not landed yet
   */
  public static boolean admitsMove(int runQueue, int coming, double speed, int slots,
      long freeMemory, long totalMemory, long unitMemory, boolean ushering,
      double senderRunQueue, double senderSpeed, int senderSlots, PolicyConfig cfg) {
    if (!holds(freeMemory, totalMemory, unitMemory, cfg)) {
      return false;
    }
    if (coming >= Math.max(1, slots - (runQueue - coming))) {
      return false;
    }
    return ushering || MosixRule.allowsMove(senderRunQueue, senderSpeed, senderSlots, runQueue,
        speed, slots, cfg.marginUnits());
  }

  /**
   * A new job: the target can hold it, and is not busier than the home believed (its sample plus
   * the home's own placements there since): stale news must not pile jobs onto one node. The
   * refusal tells the home the target's run queue, so the home scores it again with the truth
   * and makes its next choice.
   */
  public static boolean admitsPlacement(int runQueue, double believedRunQueue, long freeMemory,
      long totalMemory, long unitMemory, PolicyConfig cfg) {
    return holds(freeMemory, totalMemory, unitMemory, cfg) && runQueue <= believedRunQueue;
  }

  /** It can hold {@code unitMemory} and keep its reserve: no node accepts what it cannot hold. */
  public static boolean holds(long freeMemory, long totalMemory, long unitMemory,
      PolicyConfig cfg) {
    return freeMemory - unitMemory >= (long) (cfg.memoryLowFraction() * totalMemory);
  }
}
