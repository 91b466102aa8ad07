package io.drift.migration.codec;

/** A value could not be encoded or decoded; the message names the class and the cause. */
public class StateCodecException extends Exception {
  public StateCodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
