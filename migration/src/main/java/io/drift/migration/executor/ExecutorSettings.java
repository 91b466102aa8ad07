package io.drift.migration.executor;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of the executor, from {@code drift.executor} (see this module's reference.conf), plus
 * the slot count, which belongs to the node ({@code drift.node.slots}) and is passed in.
 */
public record ExecutorSettings(
    int slots,
    Duration timeSlice,
    Duration reportInterval,
    int outputBatchLines,
    int outputBatchBytes,
    int outputWindowLines,
    Duration outputAckTimeout,
    int maxLineChars,
    int maxResultBytes,
    int maxRunnable,
    boolean acceptGuests,
    Duration checkpointInterval,
    int maxLinesPerSecond) {

  /** Output at any rate. */
  public ExecutorSettings(int slots, Duration timeSlice, Duration reportInterval,
      int outputBatchLines, int outputBatchBytes, int outputWindowLines,
      Duration outputAckTimeout, int maxLineChars, int maxResultBytes, int maxRunnable,
      boolean acceptGuests, Duration checkpointInterval) {
    this(slots, timeSlice, reportInterval, outputBatchLines, outputBatchBytes, outputWindowLines,
        outputAckTimeout, maxLineChars, maxResultBytes, maxRunnable, acceptGuests,
        checkpointInterval, 0);
  }

  /** Without periodic checkpoints (tests that do not need them). */
  public ExecutorSettings(int slots, Duration timeSlice, Duration reportInterval,
      int outputBatchLines, int outputBatchBytes, int outputWindowLines,
      Duration outputAckTimeout, int maxLineChars, int maxResultBytes, int maxRunnable,
      boolean acceptGuests) {
    this(slots, timeSlice, reportInterval, outputBatchLines, outputBatchBytes, outputWindowLines,
        outputAckTimeout, maxLineChars, maxResultBytes, maxRunnable, acceptGuests, Duration.ZERO);
  }

  public ExecutorSettings {
    require(slots >= 1, "drift.node.slots", "must be >= 1, was " + slots);
    require(!timeSlice.isNegative() && !timeSlice.isZero(), "drift.executor.time-slice", "must be > 0");
    require(outputBatchLines >= 1, "drift.executor.output-batch-lines", "must be >= 1");
    require(outputBatchBytes >= 1024 && outputBatchBytes <= 128 * 1024,
        "drift.executor.output-batch-bytes", "must be 1KiB..128KiB (Artery frames are 256KiB)");
    require(outputWindowLines >= outputBatchLines, "drift.executor.output-window-lines",
        "must be >= output-batch-lines");
    require(maxLineChars >= 80 && maxLineChars <= 32 * 1024, "drift.executor.max-line-chars",
        "must be 80..32768");
    require(maxResultBytes >= 1024 && maxResultBytes <= 160 * 1024,
        "drift.executor.max-result-bytes", "must be 1KiB..160KiB (Artery frames are 256KiB)");
    require(maxRunnable >= slots, "drift.executor.max-runnable", "must be >= the slot count");
    require(!checkpointInterval.isNegative(), "drift.executor.checkpoint-interval",
        "must be >= 0 (0: off)");
    require(maxLinesPerSecond >= 0, "drift.executor.max-lines-per-second", "must be >= 0 (0: any)");
  }

  public static ExecutorSettings fromConfig(Config root, int slots) {
    // full paths, so an error names the whole key
    String p = "drift.executor.";
    return new ExecutorSettings(
        slots,
        root.getDuration(p + "time-slice"),
        root.getDuration(p + "report-interval"),
        root.getInt(p + "output-batch-lines"),
        root.getBytes(p + "output-batch-bytes").intValue(),
        root.getInt(p + "output-window-lines"),
        root.getDuration(p + "output-ack-timeout"),
        root.getInt(p + "max-line-chars"),
        root.getBytes(p + "max-result-bytes").intValue(),
        root.getInt(p + "max-runnable"),
        root.getBoolean(p + "accept-guests"),
        root.getDuration(p + "checkpoint-interval"),
        root.getInt(p + "max-lines-per-second"));
  }

  public ExecutorSettings withCheckpointInterval(Duration d) {
    return new ExecutorSettings(slots, timeSlice, reportInterval, outputBatchLines,
        outputBatchBytes, outputWindowLines, outputAckTimeout, maxLineChars, maxResultBytes,
        maxRunnable, acceptGuests, d, maxLinesPerSecond);
  }

  public ExecutorSettings withSlots(int n) {
    return new ExecutorSettings(n, timeSlice, reportInterval, outputBatchLines, outputBatchBytes,
        outputWindowLines, outputAckTimeout, maxLineChars, maxResultBytes, maxRunnable,
        acceptGuests, checkpointInterval, maxLinesPerSecond);
  }

  private static void require(boolean ok, String key, String what) {
    if (!ok) {
      throw new ConfigException.BadValue(key, what);
    }
  }
}
