package io.drift.node;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/**
 * Counts steps of about 1 ms of CPU each; a state taken past step {@code spoilAt} encodes but
 * cannot be decoded again (its creator throws), as a unit whose class changed under its
 * checkpoints would. Stands for a checkpoint that fails to decode.
 */
public final class SpoilsAfter implements WorkUnit<Long> {
  private final long total;
  private final long spoilAt;
  private long done;

  public SpoilsAfter(long total, long spoilAt) {
    this(total, spoilAt, 0);
  }

  @JsonCreator
  SpoilsAfter(@JsonProperty("total") long total, @JsonProperty("spoilAt") long spoilAt,
      @JsonProperty("done") long done) {
    if (done > spoilAt) {
      throw new IllegalStateException("a state past step " + spoilAt + " cannot be read back");
    }
    this.total = total;
    this.spoilAt = spoilAt;
    this.done = done;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    long until = System.nanoTime() + 1_000_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    return ++done == total ? Step.done(done) : Step.more();
  }
}
