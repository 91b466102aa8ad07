package io.drift.api;

/** A job ended CANCELLED before it produced a result. */
public class JobCancelledException extends DriftException {
  public JobCancelledException(JobId jobId, String reason) {
    super("job " + jobId + " was cancelled" + (reason == null || reason.isBlank() ? "" : ": " + reason));
  }
}
