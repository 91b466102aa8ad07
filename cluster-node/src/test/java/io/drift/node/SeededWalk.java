package io.drift.node;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A deterministic walk: each step adds a seeded random number to a sum and burns a little CPU;
 * every 100 steps it prints where it stands. Its result and its output depend only on the seed
 * and the step count, so a run that moved must match a run that did not, bit for bit.
 */
public final class SeededWalk implements WorkUnit<Long> {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private long rng;
  private long steps;
  private long done;
  private long sum;
  private long cpuNanosPerStep;
  private double[] trail = new double[64]; // some state beyond a few numbers
  private int ballastBytes;
  private byte[] ballast; // built in the first step (a submission is small), changed by each

  private SeededWalk() {}

  /** The same walk carrying {@code ballastBytes} of state, so it moves over the side channel. */
  public SeededWalk(long seed, long steps, long cpuMicrosPerStep, int ballastBytes) {
    this(seed, steps, cpuMicrosPerStep);
    this.ballastBytes = ballastBytes;
  }

  public SeededWalk(long seed, long steps, long cpuMicrosPerStep) {
    this.rng = seed;
    this.steps = steps;
    this.cpuNanosPerStep = cpuMicrosPerStep * 1000;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    long start = THREADS.getCurrentThreadCpuTime();
    while (THREADS.getCurrentThreadCpuTime() - start < cpuNanosPerStep) {
      Thread.onSpinWait();
    }
    rng += 0x9E3779B97F4A7C15L;
    long z = rng;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    sum += z >>> 40;
    trail[(int) (done % trail.length)] = Math.sqrt(z >>> 11);
    if (ballastBytes > 0) {
      if (ballast == null) {
        ballast = new byte[ballastBytes];
        new java.util.SplittableRandom(ballastBytes).nextBytes(ballast);
      }
      ballast[(int) ((done * 7919) % ballast.length)] ^= (byte) z;
    }
    done++;
    if (done % 100 == 0) {
      ctx.out("step " + done + ": sum " + sum + ", trail " + trail[(int) ((done - 1) % 64)]);
    }
    ctx.progress((double) done / steps);
    if (done < steps) {
      return Step.more();
    }
    if (ballast == null) {
      return Step.done(sum);
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(ballast);
    return Step.done(sum ^ crc.getValue());
  }
}
