package io.drift.migration.executor;

/** Home stopped acknowledging a unit's output for longer than the configured timeout. */
public class HomeUnreachableException extends Exception {
  public HomeUnreachableException(String message) {
    super(message);
  }
}
