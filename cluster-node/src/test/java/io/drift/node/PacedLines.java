package io.drift.node;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Prints "line i of N", one line per step, burning a little CPU in each step: output like
 * PrintLines, but the job lasts long enough that placements happen while it still runs.
 */
public final class PacedLines implements WorkUnit<Long> {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private long count;
  private long printed;
  private long cpuNanosPerStep;
  private long sink;

  private PacedLines() {}

  public PacedLines(long count, long cpuMicrosPerStep) {
    this.count = count;
    this.cpuNanosPerStep = cpuMicrosPerStep * 1000;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    long start = THREADS.getCurrentThreadCpuTime();
    while (THREADS.getCurrentThreadCpuTime() - start < cpuNanosPerStep) {
      for (int i = 0; i < 1000; i++) {
        sink = sink * 6364136223846793005L + 1;
      }
    }
    printed++;
    ctx.out("line " + printed + " of " + count);
    ctx.progress((double) printed / count);
    return printed >= count ? Step.done(printed) : Step.more();
  }
}
