package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.drift.api.OutputLine;
import io.drift.migration.codec.Payload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A home that records what a unit sends, thread-safe. Unless told otherwise it acknowledges each
 * output batch as it arrives, as a healthy home does.
 */
final class RecordingHome implements HomeLink {

  static final Duration TIMEOUT = Duration.ofSeconds(5);

  sealed interface Event permits Output, Report, Finished, Failed, Cancelled, Checkpoint {}

  record Checkpoint(Payload state, long nextSeq, long nextFileSeq, long cpuNanos, long steps)
      implements Event {}

  record Output(List<OutputLine> lines) implements Event {}

  record Report(double progress, long cpuNanos, long steps) implements Event {}

  record Finished(Payload result, long cpuNanos, long steps) implements Event {}

  record Failed(String error, String stackTrace, long cpuNanos, long steps) implements Event {}

  record Cancelled(long cpuNanos, long steps) implements Event {}

  /** Every event in the order it came. */
  final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

  private final List<OutputLine> lines = new ArrayList<>();
  private final List<Report> reports = new ArrayList<>();
  private volatile UnitTask task;
  private volatile boolean autoAck = true;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong maxUnacked = new AtomicLong();

  /** The task whose output this home acknowledges; its output is numbered from firstSeq. */
  RecordingHome attach(UnitTask t, long firstSeq) {
    this.task = t;
    acked.set(firstSeq - 1);
    return this;
  }

  void autoAck(boolean on) {
    autoAck = on;
  }

  /** Acknowledges every line delivered so far, as home does when it has recorded them. */
  void acknowledgeAll() {
    long last;
    synchronized (this) {
      last = lines.isEmpty() ? acked.get() : lines.get(lines.size() - 1).seq();
    }
    acked.set(last);
    task.acknowledge(last);
  }

  synchronized List<OutputLine> lines() {
    return List.copyOf(lines);
  }

  synchronized int lineCount() {
    return lines.size();
  }

  synchronized List<Report> reports() {
    return List.copyOf(reports);
  }

  /** The most lines that were ever delivered and not acknowledged. */
  long maxUnacked() {
    return maxUnacked.get();
  }

  @Override
  public void output(List<OutputLine> batch) {
    long last = batch.get(batch.size() - 1).seq();
    synchronized (this) {
      lines.addAll(batch);
    }
    maxUnacked.accumulateAndGet(last - acked.get(), Math::max);
    events.add(new Output(batch));
    if (autoAck) {
      acked.set(last);
      task.acknowledge(last);
    }
  }

  @Override
  public void report(double progress, long cpuNanos, long steps) {
    Report r = new Report(progress, cpuNanos, steps);
    synchronized (this) {
      reports.add(r);
    }
    events.add(r);
  }

  @Override
  public void finished(Payload result, long cpuNanos, long steps) {
    events.add(new Finished(result, cpuNanos, steps));
  }

  @Override
  public void failed(String error, String stackTrace, long cpuNanos, long steps) {
    events.add(new Failed(error, stackTrace, cpuNanos, steps));
  }

  @Override
  public void cancelled(long cpuNanos, long steps) {
    events.add(new Cancelled(cpuNanos, steps));
  }

  /** Waits (bounded) for the unit's last event, skipping output and reports. */
  Event awaitEnd() throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<Event> skipped = new ArrayList<>();
    while (true) {
      Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (e == null) {
        return fail("no end within " + TIMEOUT + "; last events: "
            + skipped.subList(Math.max(0, skipped.size() - 5), skipped.size()));
      }
      if (e instanceof Finished || e instanceof Failed || e instanceof Cancelled) {
        return e;
      }
      skipped.add(e);
    }
  }

  <E extends Event> E awaitEnd(Class<E> type) throws InterruptedException {
    return assertInstanceOf(type, awaitEnd());
  }

  @Override
  public void checkpoint(Payload state, long nextSeq, long nextFileSeq, long nextInputLine,
      long cpuNanos, long steps) {
    events.add(new Checkpoint(state, nextSeq, nextFileSeq, cpuNanos, steps));
  }
}
