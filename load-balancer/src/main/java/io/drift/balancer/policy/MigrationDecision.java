package io.drift.balancer.policy;

/**
 * One migration decision of one node at one tick, moved or not, with its reason: what the
 * decisions log keeps.
 *
 * @param unit the unit to move; null when nothing moves
 * @param target where to; null when nothing moves
 * @param kind {@code memory} (ushering), {@code load}, or {@code none}
 * @param gainSeconds expected time saved (load moves), 0 otherwise
 * @param costSeconds expected pause of the move
 */
public record MigrationDecision(
    String node, String unit, String target, String kind, Why why, double gainSeconds,
    double costSeconds) {

  /**
   * A reason, formatted only when read: the simulator takes millions of decisions and reads
   * none of their reasons.
   */
  public record Why(String format, Object... args) {
    public String text() {
      return args.length == 0 ? format : String.format(java.util.Locale.ROOT, format, args);
    }

    @Override
    public String toString() {
      return text();
    }
  }

  public String reason() {
    return why.text();
  }

  public static MigrationDecision none(String node, String format, Object... args) {
    return new MigrationDecision(node, null, null, "none", new Why(format, args), 0, 0);
  }

  public boolean moves() {
    return unit != null;
  }
}
