package io.drift.api;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/** A submitted job, seen from the client that submitted it. Thread-safe. */
public interface JobHandle<R> {

  JobId id();

  /** Asks the job's home for its current record. */
  CompletionStage<JobInfo> status();

  /**
   * Registers a listener for the job's output lines: first the lines received so far (the
   * latest {@code drift.client.max-buffered-lines} of them), in order, then each new one as it
   * arrives. New lines are delivered on a Drift thread: keep the listener short; an exception it
   * throws is logged and does not stop the job or other listeners.
   */
  void onOutput(Consumer<OutputLine> listener);

  /** The latest progress the client has heard of, 0 to 1. */
  double progress();

  /**
   * Completes with the unit's result, or exceptionally with {@link JobFailedException} (the unit
   * threw, or Drift could not run it), {@link JobCancelledException}, or {@link DriftException}
   * when the job's home is gone or the client was closed first.
   */
  CompletionStage<R> result();

  /**
   * Asks home to move the running unit to {@code target}: a node ({@code host:port}),
   * {@code "home"}, {@code "freeze"} (stop it and keep its state on the home node's disk,
   * holding no slot: {@link JobState#FROZEN}) or {@code "continue"} (run a frozen job again,
   * on the node the normal placement rule picks). A request, not an order: completes with the
   * record after the move, or exceptionally with {@link MigrationRefusedException} saying why
   * the job did not move (it goes on where it was).
   */
  CompletionStage<JobInfo> migrate(String target);

  /**
   * Sends lines to the job's standard input ({@link WorkContext#readLine}), in order; completes
   * once home holds them, or exceptionally with {@link DriftException} saying why it did not
   * take them (the job has ended, its input is closed, too many lines wait unread).
   */
  CompletionStage<Void> sendLines(java.util.List<String> lines);

  /** Closes the job's standard input: once it has read every line sent, it reads the end. */
  CompletionStage<Void> closeInput();

  /** Asks home to cancel the job; completes with the record once the job has stopped. */
  CompletionStage<JobInfo> cancel();
}
