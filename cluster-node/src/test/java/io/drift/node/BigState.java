package io.drift.node;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/**
 * A unit whose state grows to {@code mib} MiB in its first step and then walks slowly: for
 * moves that take a while. Its result depends only on its arguments.
 */
public final class BigState implements WorkUnit<Long> {

  private int mib;
  private long steps;
  private long spinNanos;
  private long done;
  private long[] data;

  private BigState() {}

  public BigState(int mib, long steps, long spinMicros) {
    this.mib = mib;
    this.steps = steps;
    this.spinNanos = spinMicros * 1000;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    if (data == null) {
      data = new long[mib * 128 * 1024];
      for (int i = 0; i < data.length; i++) {
        data[i] = (i + 1) * 0x9E3779B97F4A7C15L; // large numbers: 9 bytes each encoded
      }
    }
    long until = System.nanoTime() + spinNanos;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    int i = (int) (done % data.length);
    data[i] ^= done;
    done++;
    if (done < steps) {
      return Step.more();
    }
    long sum = 0;
    for (long v : data) {
      sum += v;
    }
    return Step.done(sum);
  }

  /** The result, computed without Drift. */
  public static long expected(int mib, long steps) {
    long[] data = new long[mib * 128 * 1024];
    for (int i = 0; i < data.length; i++) {
      data[i] = (i + 1) * 0x9E3779B97F4A7C15L;
    }
    for (long d = 0; d < steps; d++) {
      data[(int) (d % data.length)] ^= d;
    }
    long sum = 0;
    for (long v : data) {
      sum += v;
    }
    return sum;
  }
}
