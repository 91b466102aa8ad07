package io.drift.api;

/** A job's lifecycle as its home records it. */
public enum JobState {
  /**
   * In its home's batch queue (MOSIX: mosq): admitted when the grid has room by the gossip, in
   * priority order; holds no slot anywhere.
   */
  QUEUED,
  /** Accepted at home, waiting for a node to take it. */
  PENDING,
  /** Running (or runnable) on its host node. */
  RUNNING,
  /** Stopped, its state on its home node's disk, holding no slot anywhere (MOSIX: freeze). */
  FROZEN,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
