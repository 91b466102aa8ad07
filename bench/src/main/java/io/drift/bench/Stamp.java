package io.drift.bench;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/**
 * The empty unit: one step that does nothing but say when it ran. Its result is the host's
 * {@link System#nanoTime()} at that step; on one machine (Linux's monotonic clock is shared by
 * every process) the client subtracts its own submit time to get submit-to-start latency.
 */
public final class Stamp implements WorkUnit<Long> {

  @Override
  public Step<Long> step(WorkContext ctx) {
    return Step.done(System.nanoTime());
  }
}
