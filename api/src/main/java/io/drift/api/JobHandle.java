package io.drift.api;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A submitted job, seen from the client that submitted it. Thread-safe. */
public interface JobHandle<R> {

  JobId id();

  /** Asks the job's home for its current record. */
  CompletionStage<JobInfo> status();

  /**
   * Registers a listener for the job's output lines: first every line received so far, in order,
   * then each new one as it arrives. Called on a Drift thread; keep it short.
   */
  void onOutput(Consumer<OutputLine> listener);

  /** The latest progress the client has heard of, 0 to 1. */
  double progress();

  /**
   * Completes with the unit's result, or exceptionally with {@link JobFailedException} (the unit
   * threw, or Drift could not run it) or {@link JobCancelledException}.
   */
  CompletionStage<R> result();

  /** Asks home to cancel the job; completes with the record once the job has stopped. */
  CompletionStage<JobInfo> cancel();
}
