package io.drift.api;

/** A job's lifecycle as its home records it. */
public enum JobState {
  /** Accepted at home, waiting for a node to take it. */
  PENDING,
  /** Running (or runnable) on its host node. */
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
