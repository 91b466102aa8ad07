package io.drift.api.units;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/** Prints {@code count} numbered lines ("line 1 of N" ...), a batch per step; returns the count. */
public final class PrintLines implements WorkUnit<Long> {

  static final int CHUNK = 100;

  private long count;
  private long printed;

  private PrintLines() {}

  public PrintLines(long count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    this.count = count;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    long end = Math.min(count, printed + CHUNK);
    for (long i = printed + 1; i <= end; i++) {
      ctx.out("line " + i + " of " + count);
    }
    printed = end;
    ctx.progress(count == 0 ? 1.0 : (double) printed / count);
    return printed >= count ? Step.done(printed) : Step.more();
  }
}
