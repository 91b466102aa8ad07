package io.drift.node;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.Arrays;

/**
 * A unit whose state grows by 1 MiB a step up to {@code targetMiB}, then holds it for {@code
 * holdSteps} steps of 10 ms, changing a byte each step; its result is a checksum of the bytes,
 * the same wherever it ran. It stands for work that needs more memory as it goes.
 */
public final class GrowingState implements WorkUnit<Long> {
  private static final int MIB = 1 << 20;

  private int targetMiB;
  private int holdSteps;
  private int held;
  private byte[] data = new byte[0];

  private GrowingState() {}

  public GrowingState(int targetMiB, int holdSteps) {
    this.targetMiB = targetMiB;
    this.holdSteps = holdSteps;
  }

  @Override
  public Step<Long> step(WorkContext ctx) throws Exception {
    if (data.length < targetMiB * MIB) {
      int from = data.length;
      data = Arrays.copyOf(data, from + MIB);
      for (int i = from; i < data.length; i += 4096) {
        data[i] = (byte) (i / 4096);
      }
      return Step.more();
    }
    if (held < holdSteps) {
      data[(held * 7919) % data.length] ^= (byte) held;
      held++;
      if (ctx != null) {
        Thread.sleep(10);
      }
      return Step.more();
    }
    long sum = 0;
    for (int i = 0; i < data.length; i += 512) {
      sum = sum * 31 + data[i];
    }
    return Step.done(sum);
  }

  /** What a run gives, computed here without Drift (and without the waits). */
  public static long expected(int targetMiB, int holdSteps) throws Exception {
    GrowingState g = new GrowingState(targetMiB, holdSteps);
    while (true) {
      if (g.step(null) instanceof Step.Done<Long> done) {
        return done.result();
      }
    }
  }
}
