package io.drift.api.units;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;

/**
 * Estimates pi from {@code samples} random points, seeded, so the result is the same wherever
 * and however often the unit runs or moves. The generator (SplitMix64) keeps its state in a
 * field, so a checkpoint carries it.
 */
public final class MonteCarloPi implements WorkUnit<Double> {

  static final int CHUNK = 200_000;

  private long seed;
  private long samples;
  private long done;
  private long inside;
  private long rng;

  private MonteCarloPi() {}

  public MonteCarloPi(long seed, long samples) {
    if (samples <= 0) {
      throw new IllegalArgumentException("samples must be > 0, got " + samples);
    }
    this.seed = seed;
    this.samples = samples;
    this.rng = seed;
  }

  @Override
  public Step<Double> step(WorkContext ctx) {
    long end = Math.min(samples, done + CHUNK);
    for (long i = done; i < end; i++) {
      double x = nextDouble();
      double y = nextDouble();
      if (x * x + y * y <= 1.0) {
        inside++;
      }
    }
    done = end;
    ctx.progress((double) done / samples);
    if (done >= samples) {
      double pi = 4.0 * inside / samples;
      ctx.out("pi ~ " + pi + " from " + samples + " samples (seed " + seed + ")");
      return Step.done(pi);
    }
    return Step.more();
  }

  private double nextDouble() {
    rng += 0x9E3779B97F4A7C15L;
    long z = rng;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 11) * 0x1.0p-53;
  }
}
