package io.drift.api;

/** Base of the exceptions Drift's client API throws. */
public class DriftException extends RuntimeException {
  public DriftException(String message) {
    super(message);
  }

  public DriftException(String message, Throwable cause) {
    super(message, cause);
  }
}
