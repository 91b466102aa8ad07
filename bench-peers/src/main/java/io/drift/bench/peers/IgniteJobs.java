package io.drift.bench.peers;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.ignite.IgniteInterruptedException;
import org.apache.ignite.lang.IgniteCallable;

/**
 * The benchmark's work as Ignite jobs, step for step the same as Drift's units: the empty job
 * ({@code io.drift.bench.Stamp}), emulated work ({@code io.drift.bench.EmulatedWork}: 20 ms steps
 * that wait step/speed, the node's speed being its {@code drift.node.speed} property), and a job
 * that holds its slot until cancelled (the memory workload). Counters, per node JVM, say how many
 * run now and how much work was thrown away by jobs that stopped before their end.
 */
public final class IgniteJobs {
  private IgniteJobs() {}

  static final AtomicInteger RUNNING = new AtomicInteger();
  static final AtomicLong ABANDONED_MILLIS = new AtomicLong();
  static final AtomicLong ABANDONED_JOBS = new AtomicLong();
  static final AtomicLong COMPLETED = new AtomicLong();

  static final long STEP_MILLIS = 20;

  /** Returns this host's nanoTime when it ran: submit-to-start latency on one machine. */
  public static final class Stamp implements IgniteCallable<Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long call() {
      return System.nanoTime();
    }
  }

  /** {@code workMillis} of reference work at this node's speed; returns the work done. */
  public static final class Emulated implements IgniteCallable<Long> {
    private static final long serialVersionUID = 1L;
    private final long workMillis;

    public Emulated(long workMillis) {
      this.workMillis = workMillis;
    }

    @Override
    public Long call() {
      double speed = Double.parseDouble(System.getProperty("drift.node.speed", "1.0"));
      RUNNING.incrementAndGet();
      long done = 0;
      try {
        while (done < workMillis) {
          long chunk = Math.min(STEP_MILLIS, workMillis - done);
          LockSupport.parkNanos((long) (chunk * 1e6 / speed));
          if (Thread.interrupted()) { // cancelled, or its node stops: this attempt's work is lost
            ABANDONED_MILLIS.addAndGet(done);
            ABANDONED_JOBS.incrementAndGet();
            throw new IgniteInterruptedException("stopped after " + done + " ms of work");
          }
          done += chunk;
        }
        COMPLETED.incrementAndGet();
        return done;
      } finally {
        RUNNING.decrementAndGet();
      }
    }
  }

  /**
   * Holds its slot (a thread) until cancelled: a running job for the memory workload. It sleeps
   * until interrupted rather than waking every step: 10,000 threads each waking 50 times a second
   * kept two cores busy, and the node then took in 2,592 jobs in four minutes (memory is measured
   * here, not stepping; Drift's held units step on its two slots in turn).
   */
  public static final class Hold implements IgniteCallable<Long> {
    private static final long serialVersionUID = 1L;
    private long steps; // a unit's own state, as Drift's EmulatedWork keeps two longs

    @Override
    public Long call() {
      RUNNING.incrementAndGet();
      try {
        while (!Thread.currentThread().isInterrupted()) {
          LockSupport.park(this); // cancel interrupts the job's thread, which unparks it
          steps++;
        }
        return steps;
      } finally {
        RUNNING.decrementAndGet();
      }
    }
  }
}
