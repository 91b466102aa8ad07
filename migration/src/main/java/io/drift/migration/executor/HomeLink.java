package io.drift.migration.executor;

import io.drift.api.OutputLine;
import io.drift.migration.codec.Payload;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a running unit sends to its home. The executor actor implements it with messages; tests
 * implement it with a list. Called from slot threads: implementations must be thread-safe.
 */
public interface HomeLink {

  void output(List<OutputLine> lines);

  void report(double progress, long cpuNanos, long steps);

  void finished(Payload result, long cpuNanos, long steps);

  void failed(String error, String stackTrace, long cpuNanos, long steps);

  void cancelled(long cpuNanos, long steps);

  /** The unit's state between steps, for a restart elsewhere if this host dies. */
  default void checkpoint(Payload state, long nextSeq, long nextFileSeq, long nextInputLine,
      long cpuNanos, long steps) {}

  /** Lines of the job's standard input from {@code from} ({@link HostInput#FROM_CURSOR}). */
  default CompletionStage<Executor.Lines> lines(long from, int max) {
    return CompletableFuture.completedFuture(new Executor.Lines(Math.max(0, from), List.of(),
        true)); // no home: no input
  }

  /** Writes to the job's home files, in order; home acknowledges them to the executor. */
  default void fileOps(List<Executor.FileOp> ops) {
    throw new UnsupportedOperationException("no home files on this link");
  }

  /**
   * True when file data can go over a side channel to and from home: writes then go in bigger
   * batches ({@link #sideFileOps}) and reads in bigger pieces.
   */
  default boolean sideChannel() {
    return false;
  }

  /**
   * Sends writes over the side channel and returns once home holds them (it acknowledges them
   * as for {@link #fileOps}); false if they could not go that way: then send them with
   * {@link #fileOps} (home drops any it had already, by their numbers).
   */
  default boolean sideFileOps(List<Executor.FileOp> ops) {
    return false;
  }

  /**
   * Sends a checkpoint too large for a message over the side channel, and returns once home
   * has it; false if it could not go (the job then keeps the checkpoint home had before).
   */
  default boolean sideCheckpoint(Payload state, long nextSeq, long nextFileSeq,
      long nextInputLine, long cpuNanos, long steps) {
    return false;
  }

  /**
   * A STREAM request's outcome: the stream of the range from home, or home's reply instead
   * (the data itself when there is little, or why not).
   */
  record StreamStart(FileStream stream, Executor.FileReply reply) {}

  /** Asks home to stream up to {@code maxLength} bytes of a file from {@code offset}. */
  default CompletionStage<StreamStart> fileStream(String path, long offset, int maxLength) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("no file streams on this link"));
  }

  /** A read of the job's home files. */
  default CompletionStage<Executor.FileReply> fileRequest(Executor.FileRequestKind kind,
      String path, long offset, int length) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("no home files on this link"));
  }
}
