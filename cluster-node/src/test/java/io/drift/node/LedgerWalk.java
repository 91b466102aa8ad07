package io.drift.node;

import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A seeded walk that writes every step it takes into a ledger shared by all nodes of this JVM:
 * (step number, host, start and end time). A unit that ran twice, or in two places at once,
 * shows in the ledger as a step recorded twice or as overlapping steps on two hosts.
 */
public final class LedgerWalk implements WorkUnit<Long> {

  public record Entry(long step, String host, long startNanos, long endNanos) {}

  /** By job id. */
  public static final Map<String, List<Entry>> LEDGER = new ConcurrentHashMap<>();

  private long rng;
  private long steps;
  private long done;
  private long sum;
  private long spinNanos;
  private int ballastBytes;
  private byte[] ballast; // built in the first step: a state large enough for the side channel

  private LedgerWalk() {}

  public LedgerWalk(long seed, long steps, long spinMicros) {
    this(seed, steps, spinMicros, 0);
  }

  public LedgerWalk(long seed, long steps, long spinMicros, int ballastBytes) {
    this.rng = seed;
    this.steps = steps;
    this.spinNanos = spinMicros * 1000;
    this.ballastBytes = ballastBytes;
  }

  @Override
  public Step<Long> step(WorkContext ctx) {
    long start = System.nanoTime();
    long until = start + spinNanos;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    rng = rng * 6364136223846793005L + 1442695040888963407L;
    sum += rng >>> 33;
    if (ballastBytes > 0) {
      if (ballast == null) {
        ballast = new byte[ballastBytes];
      }
      ballast[(int) (done % ballastBytes)] = (byte) rng;
    }
    done++;
    if (done % 20 == 0) {
      ctx.out(done + " " + sum);
    }
    LEDGER.computeIfAbsent(ctx.jobId().value(), k -> new CopyOnWriteArrayList<>())
        .add(new Entry(done, ctx.hostName(), start, System.nanoTime()));
    return done >= steps ? Step.done(sum) : Step.more();
  }

  /** What a walk of this seed and length returns and prints, computed without Drift. */
  public static long expectedSum(long seed, long steps) {
    long rng = seed;
    long sum = 0;
    for (long i = 0; i < steps; i++) {
      rng = rng * 6364136223846793005L + 1442695040888963407L;
      sum += rng >>> 33;
    }
    return sum;
  }
}
