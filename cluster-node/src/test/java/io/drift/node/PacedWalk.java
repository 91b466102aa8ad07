package io.drift.node;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A deterministic walk that holds its slot without burning CPU: each step waits {@code
 * millis}, then adds a seeded random number to a sum; every 50 steps it prints where it
 * stands. Many of them share a 2-core machine the way a grid of busy nodes would. Its result
 * and output depend only on the seed and the step count ({@link #unmoved}).
 */
public final class PacedWalk implements WorkUnit<Long> {

  private long rng;
  private long steps;
  private long done;
  private long sum;
  private long millis;

  private PacedWalk() {}

  public PacedWalk(long seed, long steps, long millis) {
    this.rng = seed;
    this.steps = steps;
    this.millis = millis;
  }

  @Override
  public Step<Long> step(WorkContext ctx) throws Exception {
    if (millis > 0) {
      Thread.sleep(millis);
    }
    rng += 0x9E3779B97F4A7C15L;
    long z = rng;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    sum += (z ^ (z >>> 31)) >>> 40;
    done++;
    if (done % 50 == 0) {
      ctx.out("step " + done + " sum " + sum);
    }
    return done < steps ? Step.more() : Step.done(sum);
  }

  /** What the walk of {@code seed} gives, never moved: its result and its output lines. */
  public static MigrationTest.Unmoved unmoved(long seed, long steps) {
    PacedWalk w = new PacedWalk(seed, steps, 0);
    List<String> out = new ArrayList<>();
    WorkContext ctx = new WorkContext() {
      public void out(String line) {
        out.add(line);
      }

      public void err(String line) {}

      public void progress(double fraction) {}

      public io.drift.api.JobId jobId() {
        return io.drift.api.JobId.of("here");
      }

      public String hostName() {
        return "here";
      }
    };
    try {
      Step<Long> s;
      do {
        s = w.step(ctx);
      } while (!(s instanceof Step.Done<Long>));
      return new MigrationTest.Unmoved(((Step.Done<Long>) s).result(), out);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
