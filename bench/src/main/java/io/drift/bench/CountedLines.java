package io.drift.bench;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The faults benchmark's unit: each step waits {@code stepMicros} holding its slot and prints
 * "line k"; its output is known in advance, so lines lost or doubled can be counted.
 */
public final class CountedLines implements WorkUnit<Long> {

  private long steps;
  private long stepMicros;
  private long done;

  private CountedLines() {}

  public CountedLines(long steps, long stepMicros) {
    this.steps = steps;
    this.stepMicros = stepMicros;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    LockSupport.parkNanos(stepMicros * 1000);
    done++;
    ctx.out("line " + done);
    ctx.progress((double) done / steps);
    return done == steps ? Step.done(done) : Step.more();
  }
}
