package io.drift.bench;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Work that takes {@code step/speed} of wall time per step while holding a slot, the node's
 * speed being its {@code drift.node.speed} (a system property of the node process): so eight
 * nodes of speeds 1, 2 and 4 fit honestly on two cores, their units waiting instead of
 * computing. Result: the reference milliseconds done.
 */
public final class EmulatedWork implements WorkUnit<Long> {

  static final long STEP_MILLIS = 20;

  private long workMillis;
  private long doneMillis;

  private EmulatedWork() {}

  public EmulatedWork(long workMillis) {
    if (workMillis < 1) {
      throw new IllegalArgumentException("work must be >= 1 ms, got " + workMillis);
    }
    this.workMillis = workMillis;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    double speed = Double.parseDouble(System.getProperty("drift.node.speed", "1.0"));
    long chunk = Math.min(STEP_MILLIS, workMillis - doneMillis);
    LockSupport.parkNanos((long) (chunk * 1e6 / speed));
    doneMillis += chunk;
    ctx.progress((double) doneMillis / workMillis);
    return doneMillis >= workMillis ? Step.done(doneMillis) : Step.more();
  }
}
