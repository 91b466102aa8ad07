package io.drift.node;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/**
 * Reads its standard input to the end, answering each line with "got LINE"; returns how many
 * it read. It asks whether a line is there before it reads, so it never waits inside a step
 * and can be moved while it waits for its submitter.
 */
public final class EchoInput implements WorkUnit<Long> {
  private long read;

  @Override
  public Step<Long> step(WorkContext ctx) throws Exception {
    while (ctx.inputReady()) {
      String line = ctx.readLine();
      if (line == null) {
        return Step.done(read);
      }
      read++;
      ctx.out("got " + line);
    }
    // nothing yet: rest a moment rather than spin through empty steps (the request for more
    // is on its way), then give the slot to others
    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000L);
    return Step.more();
  }
}
