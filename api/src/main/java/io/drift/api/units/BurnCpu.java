package io.drift.api.units;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Burns a given amount of CPU time in small steps (a synthetic load for demos and tests).
 * Counts the thread's CPU time, not wall time, so a busy machine makes it slower, not shorter.
 */
public final class BurnCpu implements WorkUnit<Long> {

  /** At most this much CPU per step, so the unit can be paused or moved promptly. */
  static final long STEP_NANOS = 5_000_000L;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private long totalNanos;
  private long burnedNanos;
  private long sink; // keeps the JIT from deleting the loop

  private BurnCpu() {}

  public BurnCpu(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("millis must be >= 0, got " + millis);
    }
    this.totalNanos = millis * 1_000_000L;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    long want = Math.min(STEP_NANOS, totalNanos - burnedNanos);
    long start = THREADS.getCurrentThreadCpuTime();
    long used = 0;
    while (used < want) {
      for (int i = 0; i < 10_000; i++) {
        sink = sink * 6364136223846793005L + 1442695040888963407L;
      }
      used = THREADS.getCurrentThreadCpuTime() - start;
    }
    burnedNanos += used;
    ctx.progress(totalNanos == 0 ? 1.0 : Math.min(1.0, (double) burnedNanos / totalNanos));
    if (burnedNanos >= totalNanos) {
      return Step.done(burnedNanos / 1_000_000L);
    }
    return Step.more();
  }
}
