package io.drift.bench;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.SplittableRandom;

/**
 * A unit whose state is {@code bytes} of incompressible data (built in its first step) and that
 * then idles in short steps until told how many steps to take: the load for moving states.
 */
public final class Ballast implements WorkUnit<Long> {

  private int bytes;
  private long steps;
  private long done;
  private byte[] data;

  private Ballast() {}

  public Ballast(int bytes, long steps) {
    this.bytes = bytes;
    this.steps = steps;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    if (data == null) {
      data = new byte[bytes];
      new SplittableRandom(bytes).nextBytes(data);
    }
    long until = System.nanoTime() + 1_000_000; // 1 ms a step
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    done++;
    return done >= steps ? Step.done(done) : Step.more();
  }
}
