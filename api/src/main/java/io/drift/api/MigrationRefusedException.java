package io.drift.api;

/** A move was asked for and did not happen; the job goes on where it was. */
public class MigrationRefusedException extends DriftException {
  public MigrationRefusedException(JobId jobId, String reason) {
    super("job " + jobId + " did not move: " + reason);
  }
}
