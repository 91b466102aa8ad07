package io.drift.api;

/** A job ended FAILED; the message is the remote exception's class and message. */
public class JobFailedException extends DriftException {
  private final JobId jobId;

  public JobFailedException(JobId jobId, String message) {
    super("job " + jobId + " failed: " + message);
    this.jobId = jobId;
  }

  public JobId jobId() {
    return jobId;
  }
}
