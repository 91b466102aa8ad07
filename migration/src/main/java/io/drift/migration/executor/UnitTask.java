package io.drift.migration.executor;

import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import io.drift.migration.Limits;
import java.util.ArrayList;
import java.util.List;

/**
 * One unit placed on this node, with everything the slot threads need to run it. At most one
 * slot thread runs a task at a time; the queue hand-off publishes its fields between them.
 */
public final class UnitTask {

  /** Where a task is in its life on this node. Guarded by the task's monitor. */
  enum Phase { QUEUED, RUNNING, PAUSED, ENDED }

  final JobId jobId;
  final long epoch;
  final String jobName;
  final String homeNode;
  final boolean guest;
  final WorkUnit<?> unit;
  final HomeLink home;
  final String hostName;
  private final ExecutorSettings settings;

  private Phase phase = Phase.QUEUED;
  volatile boolean cancelRequested;
  volatile boolean pauseRequested;
  /** A checkpoint to take at the next step boundary, or null. */
  volatile SlotRunner.CheckpointRequest checkpointRequest;

  /** When it arrived on this node: its residency, for the balancer. */
  final long arrivedNanos = System.nanoTime();
  /** When its state last went home as a checkpoint (its arrival counts as one). */
  long checkpointedNanos = arrivedNanos;
  /** {@link #cpuNanos} as of the last step, for readers on other threads. */
  volatile long cpuNanosSeen;
  /** Wall time spent in steps on this node (holding a slot); written by its slot thread. */
  volatile long slotNanos;

  // Touched only by the slot thread that currently runs the task.
  long cpuNanos;
  long steps;
  double progress;
  long lastReportNanos;
  long overruns;
  long checkpointsSkipped;
  /** The SHA-256 of the job's jar, or null: its classes are on Drift's class path. */
  volatile String code;
  /** Bytes of its state when last encoded here or sent to it (0: not known yet). */
  volatile long stateBytes;
  private long nextSeq;
  private final List<OutputLine> pending = new ArrayList<>();
  private int pendingChars;

  // Output flow control: lines sent but not yet acknowledged by home.
  private final Object window = new Object();
  private long sentUpTo; // guarded by window
  private long ackedUpTo; // guarded by window

  final WorkContext context = new Context();
  /** The job's standard input, as this host sees it. */
  final HostInput input;
  /** The job's home files, as this host sees them. */
  final HostFiles files;

  UnitTask(JobId jobId, long epoch, String jobName, String homeNode, boolean guest,
      WorkUnit<?> unit,
      HomeLink home, String hostName, ExecutorSettings settings, long firstSeq,
      long firstFileSeq, long cpuNanosSoFar, long stepsSoFar) {
    this.jobId = jobId;
    this.epoch = epoch;
    this.jobName = jobName;
    this.homeNode = homeNode;
    this.guest = guest;
    this.unit = unit;
    this.home = home;
    this.hostName = hostName;
    this.settings = settings;
    this.nextSeq = firstSeq;
    this.files = new HostFiles(jobId, home, settings.outputAckTimeout(), firstFileSeq);
    this.input = new HostInput(jobId, home, () -> cancelRequested);
    this.sentUpTo = firstSeq - 1;
    this.ackedUpTo = firstSeq - 1;
    this.cpuNanos = cpuNanosSoFar;
    this.cpuNanosSeen = cpuNanosSoFar;
    this.steps = stepsSoFar;
  }

  public JobId jobId() {
    return jobId;
  }

  public long epoch() {
    return epoch;
  }

  /** The sequence number the unit's next output line gets; read it only while paused. */
  long nextSeq() {
    return nextSeq;
  }

  synchronized Phase phase() {
    return phase;
  }

  /** Moves from one phase to another; false if the task was not in {@code from}. */
  synchronized boolean transition(Phase from, Phase to) {
    if (phase != from) {
      return false;
    }
    phase = to;
    return true;
  }

  /** Home applied file writes up to {@code seq}; {@code error}: why one was refused, or null. */
  void acknowledgeFiles(long seq, String error) {
    files.acknowledge(seq, error);
  }

  /** Home acknowledged output lines up to {@code seq}; wakes a slot thread waiting on the window. */
  void acknowledge(long seq) {
    synchronized (window) {
      if (seq > ackedUpTo) {
        ackedUpTo = seq;
        window.notifyAll();
      }
    }
  }

  void wakeUp() {
    synchronized (window) {
      window.notifyAll();
    }
  }

  /** Sends buffered output home, first waiting until the window has room. */
  void flush() throws HomeUnreachableException, InterruptedException {
    if (pending.isEmpty()) {
      return;
    }
    long last = nextSeq - 1;
    long deadline = System.nanoTime() + settings.outputAckTimeout().toNanos();
    synchronized (window) {
      while (last - ackedUpTo > settings.outputWindowLines()) {
        if (cancelRequested) {
          pending.clear(); // a cancelled unit's last words do not get past the window
          pendingChars = 0;
          return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new HomeUnreachableException(
              "home did not acknowledge output of job " + jobId + " within "
                  + settings.outputAckTimeout().toMillis() + " ms");
        }
        window.wait(Math.max(1, left / 1_000_000L));
      }
      sentUpTo = last;
    }
    home.output(List.copyOf(pending));
    pending.clear();
    pendingChars = 0;
  }

  /** Flush on the way out of a failing or cancelled unit: best effort, never blocks long. */
  void flushQuietly() {
    if (!pending.isEmpty()) {
      home.output(List.copyOf(pending));
      pending.clear();
      pendingChars = 0;
    }
  }

  private double lineTokens = -1; // the rate limit's bucket; -1: not started
  private long tokensAtNanos;

  /**
   * drift.executor.max-lines-per-second, as a bucket of one second's lines: a unit that has
   * used it up waits in its step (what it wrote so far sent home first) until lines are due.
   */
  private void throttle() throws InterruptedException, HomeUnreachableException {
    int rate = settings.maxLinesPerSecond();
    if (rate <= 0) {
      return;
    }
    long now = System.nanoTime();
    if (lineTokens < 0) {
      lineTokens = rate;
    } else {
      lineTokens = Math.min(rate, lineTokens + (now - tokensAtNanos) * (rate / 1e9));
    }
    tokensAtNanos = now;
    if (lineTokens < 1) {
      if (!pending.isEmpty()) {
        flush();
      }
      // wait for a tenth of a second's lines at once: fewer, longer sleeps
      long waitNanos = (long) ((Math.min(rate, Math.max(1, rate / 10.0)) - lineTokens)
          * 1e9 / rate);
      Thread.sleep(waitNanos / 1_000_000L, (int) (waitNanos % 1_000_000L));
      long after = System.nanoTime();
      lineTokens = Math.min(rate, lineTokens + (after - tokensAtNanos) * (rate / 1e9));
      tokensAtNanos = after;
    }
    lineTokens -= 1;
  }

  private void append(OutputLine.Stream stream, String line) {
    try {
      throttle();
      String text = Limits.cut(wellFormed(line == null ? "null" : line), settings.maxLineChars());
      pending.add(new OutputLine(nextSeq++, stream, text));
      pendingChars += text.length();
      if (pending.size() >= settings.outputBatchLines()
          || pendingChars * 3L >= settings.outputBatchBytes()) { // a char: at most 3 UTF-8 bytes
        flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("slot thread interrupted while writing output", e);
    } catch (HomeUnreachableException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * The line with every unpaired surrogate replaced by U+FFFD: such a string cannot be encoded
   * as UTF-8, so the batch carrying it would be refused by the serializer and lost.
   */
  static String wellFormed(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean lone = Character.isHighSurrogate(c)
          ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
          : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
      if (lone && b == null) {
        b = new StringBuilder(s.length()).append(s, 0, i);
      }
      if (b != null) {
        b.append(lone ? '\uFFFD' : c);
      }
    }
    return b == null ? s : b.toString();
  }

  private final class Context implements WorkContext {
    @Override
    public void out(String line) {
      append(OutputLine.Stream.OUT, line);
    }

    @Override
    public void err(String line) {
      append(OutputLine.Stream.ERR, line);
    }

    @Override
    public void progress(double fraction) {
      progress = Double.isNaN(fraction) ? progress : Math.max(0.0, Math.min(1.0, fraction));
    }

    @Override
    public JobId jobId() {
      return jobId;
    }

    @Override
    public String hostName() {
      return hostName;
    }

    @Override
    public io.drift.api.HomeFiles files() {
      return files;
    }

    @Override
    public String readLine() throws java.io.IOException {
      return input.readLine();
    }

    @Override
    public boolean inputReady() {
      return input.ready();
    }
  }
}
