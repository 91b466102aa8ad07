package io.drift.api;

/** A job was refused at submission; nothing of it runs anywhere. */
public class SubmissionRejectedException extends DriftException {
  public SubmissionRejectedException(String message) {
    super(message);
  }

  public SubmissionRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
