package io.drift.balancer;

/**
 * One balancing decision of this node, moved or not, for {@code GET /drift/decisions}.
 *
 * @param seq increasing per node
 * @param atMillis wall-clock time of the decision (for people; nothing compares it across nodes)
 * @param kind {@code place}, {@code load} or {@code memory} (a move asked for), or {@code stay}
 * @param unit the job placed or moved; null for {@code stay}
 * @param target where to; null for {@code stay}
 * @param outcome what became of a move asked for, once home answered; null before
 */
public record Decision(long seq, long atMillis, String kind, String unit, String target,
    String reason, String outcome) implements BalancerWire {

  Decision withOutcome(String o) {
    return new Decision(seq, atMillis, kind, unit, target, reason, o);
  }
}
