package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.fail;

import io.drift.api.OutputLine;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Work units for executor tests. They run in-process only, so they may hold test objects. */
final class TestUnits {

  static final Duration TIMEOUT = RecordingHome.TIMEOUT;

  private TestUnits() {}

  /**
   * Runs {@code delegate}, but its step number {@code blockAt} first signals {@link #entered} and
   * waits (bounded) for {@link #open()}: the test then knows the unit is inside a step.
   */
  static final class Gate<R> implements WorkUnit<R> {
    final WorkUnit<R> delegate;
    final int blockAt;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger steps = new AtomicInteger();
    final AtomicReference<Thread> thread = new AtomicReference<>();

    Gate(WorkUnit<R> delegate, int blockAt) {
      this.delegate = delegate;
      this.blockAt = blockAt;
    }

    @Override
    public Step<R> step(WorkContext ctx) throws Exception {
      thread.set(Thread.currentThread());
      if (steps.incrementAndGet() == blockAt) {
        entered.countDown();
        if (!release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      }
      return delegate.step(ctx);
    }

    void awaitEntered() throws InterruptedException {
      if (!entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("the unit did not reach step " + blockAt + " within " + TIMEOUT);
      }
    }

    void open() {
      release.countDown();
    }
  }

  /** A unit that never finishes on its own (ends by cancel). */
  static final class Forever implements WorkUnit<Long> {
    @Override
    public Step<Long> step(WorkContext ctx) {
      return Step.more();
    }
  }

  /**
   * Takes {@code total} steps of {@code spin} wall time each, writing (name, step) to a shared
   * timeline, and records how many tickers were inside a step at once.
   */
  static final class Ticker implements WorkUnit<Integer> {
    final String name;
    final int total;
    final long spinNanos;
    final Queue<String> timeline;
    final AtomicInteger inside;
    final AtomicInteger maxInside;
    int done;

    Ticker(String name, int total, Duration spin, Queue<String> timeline, AtomicInteger inside,
        AtomicInteger maxInside) {
      this.name = name;
      this.total = total;
      this.spinNanos = spin.toNanos();
      this.timeline = timeline;
      this.inside = inside;
      this.maxInside = maxInside;
    }

    @Override
    public Step<Integer> step(WorkContext ctx) {
      maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
      try {
        long end = System.nanoTime() + spinNanos;
        while (System.nanoTime() < end) {
          Thread.onSpinWait();
        }
        done++;
        timeline.add(name + done);
        return done == total ? Step.done(done) : Step.more();
      } finally {
        inside.decrementAndGet();
      }
    }
  }

  /** Writes one line per step; throws {@code IllegalStateException("boom")} at step {@code at}. */
  static final class Thrower implements WorkUnit<Long> {
    final int at;
    int steps;

    Thrower(int at) {
      this.at = at;
    }

    @Override
    public Step<Long> step(WorkContext ctx) {
      steps++;
      ctx.out("step " + steps);
      if (steps == at) {
        throw new IllegalStateException("boom");
      }
      return Step.more();
    }
  }

  /** Writes the given lines in one step and returns how many it wrote. */
  record Writes(List<OutputLine> lines) implements WorkUnit<Integer> {
    @Override
    public Step<Integer> step(WorkContext ctx) {
      for (OutputLine l : lines) {
        if (l.stream() == OutputLine.Stream.ERR) {
          ctx.err(l.text());
        } else {
          ctx.out(l.text());
        }
      }
      return Step.done(lines.size());
    }
  }

  /**
   * Waits until {@code condition} holds, looking every millisecond, at most {@link #TIMEOUT}. Only
   * for states that send no event (a thread parked on a full output window).
   */
  static void awaitCondition(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + TIMEOUT + ": " + what);
      }
      LockSupport.parkNanos(1_000_000L);
    }
  }
}
