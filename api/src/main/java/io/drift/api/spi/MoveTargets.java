package io.drift.api.spi;

/** Targets of a move that name no node; shared by the balancer and the executor. */
public final class MoveTargets {
  private MoveTargets() {}

  /**
   * Home, or frozen at home if home will not run it now: how a guest leaves a cluster that
   * wants its nodes back (its own work comes first, or its owner isolates it). Never a kill.
   */
  public static final String GO_HOME = "go-home";
}
