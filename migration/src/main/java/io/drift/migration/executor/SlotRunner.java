package io.drift.migration.executor;

import io.drift.api.Step;
import io.drift.api.spi.LocalLoad;
import io.drift.api.spi.UnitLoad;
import io.drift.migration.Limits;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.codec.StateCodecException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs units on its own threads, one per slot, in time slices: a slot takes the task at the head
 * of the run queue, calls its steps until the slice is used up, and puts it back at the tail. So
 * every runnable unit advances, as processes do under a time-sharing kernel, and a unit can be
 * paused, checkpointed or cancelled at any step boundary. Never runs on Pekko dispatcher threads.
 */
public final class SlotRunner implements LocalLoad, AutoCloseable {

  /** Told when a task leaves the run queue for good or for a pause. Called on slot threads. */
  public interface Listener {
    void paused(UnitTask task);

    void ended(UnitTask task);
  }

  /** What a checkpoint request hears, on the slot thread that took (or did not take) it. */
  public interface CheckpointCallback {
    /**
     * The unit is paused; this is its state, or null when it is larger than the request
     * keeps (then only its size was measured, and the state is to be encoded again, straight
     * to where it goes, from the paused unit).
     *
     * @param stoppedAtNanos {@link System#nanoTime} when the unit stopped, before encoding
     */
    void taken(Payload state, long size, long stoppedAtNanos);

    /** The state is larger than allowed; the unit goes on without a pause. */
    void tooLarge(long bytes);

    /** The state could not be encoded; the unit goes on. */
    void failed(String why);
  }

  record CheckpointRequest(long maxBytes, long keepUpTo, CheckpointCallback callback) {}

  private static final Logger log = LoggerFactory.getLogger(SlotRunner.class);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final ExecutorSettings settings;
  private final StateCodec codec;
  private final LinkedBlockingDeque<UnitTask> runQueue = new LinkedBlockingDeque<>();
  private final AtomicInteger runnable = new AtomicInteger();
  private final AtomicInteger guests = new AtomicInteger();
  private final AtomicLong admitted = new AtomicLong();
  private final java.util.Set<UnitTask> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Thread[] threads;
  private volatile Listener listener;
  private volatile boolean closed;

  public SlotRunner(ExecutorSettings settings, StateCodec codec) {
    this.settings = settings;
    this.codec = codec;
    this.threads = new Thread[settings.slots()];
  }

  /** Starts the slot threads; events go to {@code listener}. */
  public synchronized void start(Listener l) {
    if (listener != null) {
      throw new IllegalStateException("slot runner already started");
    }
    listener = l;
    for (int i = 0; i < threads.length; i++) {
      threads[i] = new Thread(this::work, "drift-slot-" + i);
      threads[i].setDaemon(true);
      threads[i].start();
    }
  }

  public ExecutorSettings settings() {
    return settings;
  }

  @Override
  public int slots() {
    return threads.length;
  }

  @Override
  public int runnableUnits() {
    return runnable.get();
  }

  @Override
  public int guests() {
    return guests.get();
  }

  @Override
  public boolean acceptsGuests() {
    return settings.acceptGuests() && !draining && !blocked;
  }

  /** The operator's block (MOSIX: mosctl block): no new guests; those here stay. */
  private volatile boolean blocked;

  void block(boolean on) {
    blocked = on;
  }

  boolean blocked() {
    return blocked;
  }

  /** The node is draining: it takes no guests, and its balancer's gossip says so. */
  private volatile boolean draining;

  void drain() {
    draining = true;
  }

  @Override
  public boolean draining() {
    return draining;
  }

  @Override
  public long admitted() {
    return admitted.get();
  }

  @Override
  public List<UnitLoad> units() {
    long now = System.nanoTime();
    List<UnitLoad> out = new ArrayList<>(live.size());
    for (UnitTask t : live) {
      out.add(new UnitLoad(t.jobId.value(), t.cpuNanosSeen, t.slotNanos, now - t.arrivedNanos,
          t.guest, t.stateBytes, t.homeNode));
    }
    return out;
  }

  /** Adds a new task to the tail of the run queue. */
  public void enqueue(UnitTask t) {
    count(t, +1); // before admitted: see LocalLoad#admitted
    admitted.incrementAndGet();
    runQueue.addLast(t);
  }

  /**
   * Asks a task to pause at its next step boundary.
   *
   * @return true if it was waiting in the queue and is paused already; false if a slot thread
   *     runs it now and will report the pause through the listener
   */
  public boolean pause(UnitTask t) {
    t.pauseRequested = true;
    if (runQueue.remove(t) && t.transition(UnitTask.Phase.QUEUED, UnitTask.Phase.PAUSED)) {
      count(t, -1);
      return true;
    }
    return false;
  }

  /**
   * At the task's next step boundary, on its slot thread: encode the unit; if the state is at
   * most {@code maxBytes}, pause the task and hand the state over (its bytes if at most
   * {@code keepUpTo}, else only its size); if not, say so and let the unit go on, never
   * paused. The state is measured and taken in one encoding.
   */
  public void checkpoint(UnitTask t, long maxBytes, long keepUpTo, CheckpointCallback callback) {
    t.checkpointRequest = new CheckpointRequest(maxBytes, keepUpTo, callback);
    // waiting in the queue, it would wait a whole round of time slices (seconds on a busy
    // node) while its move holds a reservation: let the next free slot take it first
    if (runQueue.remove(t)) {
      runQueue.addFirst(t);
    }
  }

  /** Puts a paused task back at the tail of the run queue. */
  public boolean resume(UnitTask t) {
    t.pauseRequested = false;
    if (t.transition(UnitTask.Phase.PAUSED, UnitTask.Phase.QUEUED)) {
      count(t, +1);
      runQueue.addLast(t);
      return true;
    }
    return false;
  }

  /** Forgets a paused task without a word to its home: it runs elsewhere now. */
  public boolean drop(UnitTask t) {
    return t.transition(UnitTask.Phase.PAUSED, UnitTask.Phase.ENDED);
  }

  /**
   * Cancels a task. A task waiting in the queue or paused ends at once (the listener hears of
   * it); a running one ends at its next step boundary.
   */
  public void cancel(UnitTask t) {
    t.cancelRequested = true;
    t.wakeUp();
    if (runQueue.remove(t) && t.transition(UnitTask.Phase.QUEUED, UnitTask.Phase.ENDED)) {
      count(t, -1);
      endCancelled(t);
    } else if (t.transition(UnitTask.Phase.PAUSED, UnitTask.Phase.ENDED)) {
      endCancelled(t);
    }
  }

  private void count(UnitTask t, int delta) {
    if (delta > 0) {
      live.add(t);
    } else {
      live.remove(t);
    }
    runnable.addAndGet(delta);
    if (t.guest) {
      guests.addAndGet(delta);
    }
  }

  private void work() {
    while (!closed) {
      UnitTask t;
      try {
        t = runQueue.take();
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
        continue; // not ours: a unit's stray interrupt must not end the slot
      }
      if (t.transition(UnitTask.Phase.QUEUED, UnitTask.Phase.RUNNING)) {
        runSlice(t);
      }
    }
  }

  private void runSlice(UnitTask t) {
    long sliceNanos = settings.timeSlice().toNanos();
    long sliceEnd = System.nanoTime() + sliceNanos;
    try {
      while (true) {
        if (t.cancelRequested) {
          t.flushQuietly();
          leave(t);
          endCancelled(t);
          return;
        }
        CheckpointRequest cr = t.checkpointRequest;
        if (cr != null) {
          t.checkpointRequest = null;
          long stoppedAt = System.nanoTime();
          Capture state = new Capture(cr.keepUpTo());
          boolean encoded = false;
          try {
            if (cr.keepUpTo() < Long.MAX_VALUE) {
              // measured as it would go over the side channel: large byte arrays are counted,
              // not copied; a state small enough for chunks is then encoded whole
              state.total = SideChannel.splitSize(codec.split(t.unit));
              if (state.total <= cr.keepUpTo()) {
                state.total = 0;
                codec.encodeTo(t.unit, state);
              }
            } else {
              codec.encodeTo(t.unit, state);
            }
            encoded = true;
          } catch (StateCodecException | IOException e) {
            cr.callback().failed("the unit's state cannot be encoded: " + e.getMessage());
          }
          if (encoded && state.total > cr.maxBytes()) {
            cr.callback().tooLarge(state.total);
          } else if (encoded) {
            t.flush();
            t.files.drain(); // the new host numbers on from what home applied
            leave(t, UnitTask.Phase.PAUSED);
            if (t.cancelRequested && t.transition(UnitTask.Phase.PAUSED, UnitTask.Phase.ENDED)) {
              endCancelled(t);
            } else {
              cr.callback().taken(state.kept() ? new Payload(t.unit.getClass().getName(),
                  state.toByteArray()) : null, state.total, stoppedAt);
            }
            return;
          }
        }
        if (t.pauseRequested) {
          t.flush();
          t.files.drain();
          leave(t, UnitTask.Phase.PAUSED);
          // a cancel that raced with the pause found the task neither queued nor paused
          if (t.cancelRequested && t.transition(UnitTask.Phase.PAUSED, UnitTask.Phase.ENDED)) {
            endCancelled(t);
          } else {
            listener.paused(t);
          }
          return;
        }
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long wall0 = System.nanoTime();
        Step<?> step;
        Thread me = Thread.currentThread();
        ClassLoader own = me.getContextClassLoader();
        // libraries that find classes through the context loader find the job's own
        me.setContextClassLoader(t.unit.getClass().getClassLoader());
        try {
          step = t.unit.step(t.context);
        } finally {
          me.setContextClassLoader(own);
        }
        long stepCpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long now = System.nanoTime();
        t.cpuNanos += stepCpu;
        t.cpuNanosSeen = t.cpuNanos;
        t.slotNanos += now - wall0;
        t.steps++;
        // CPU time, not wall time: on a busy machine the OS may stretch any step
        if (stepCpu > sliceNanos && t.overruns++ == 0) {
          log.warn("job {} ({}): one step used {} ms of CPU, over the {} ms time slice; it"
                  + " cannot be paused or moved while a step runs, so keep steps short",
              t.jobId, t.jobName, stepCpu / 1_000_000, sliceNanos / 1_000_000);
        }
        if (step instanceof Step.Done<?> done) {
          finish(t, done.result());
          return;
        }
        if (step == null) {
          throw new IllegalStateException(t.unit.getClass().getName() + ".step returned null");
        }
        if (now >= sliceEnd) {
          break;
        }
      }
      t.flush();
      t.files.flush();
      t.files.closeIdleStream(System.nanoTime());
      maybeCheckpoint(t);
      maybeReport(t);
      if (t.transition(UnitTask.Phase.RUNNING, UnitTask.Phase.QUEUED)) {
        runQueue.addLast(t);
      }
    } catch (Throwable e) {
      if (closed && e instanceof InterruptedException) {
        return; // shutting down: the task simply stops here
      }
      t.flushQuietly();
      t.files.flushQuietly();
      leave(t);
      if (t.cancelRequested && e instanceof java.io.InterruptedIOException) {
        endCancelled(t); // a wait for input the cancel broke: cancelled, not failed
        return;
      }
      closeUnit(t);
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      t.home.failed(Limits.cut(describe(e), Limits.ERROR_CHARS),
          Limits.cut(trace.toString(), Limits.STACK_TRACE_CHARS), t.cpuNanos, t.steps);
      listener.ended(t);
    } finally {
      if (!closed) {
        Thread.interrupted(); // a unit must not leave its slot thread interrupted
      }
    }
  }

  /** Keeps what is written up to a limit, and counts all of it. */
  private static final class Capture extends java.io.ByteArrayOutputStream {
    private final long keepUpTo;
    long total;

    Capture(long keepUpTo) {
      super(keepUpTo >= 8192 ? 8192 : (int) keepUpTo + 1);
      this.keepUpTo = keepUpTo;
    }

    boolean kept() {
      return total <= keepUpTo;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      total += len;
      if (total <= keepUpTo) {
        super.write(b, off, len);
      } else if (size() > 0) {
        reset(); // over the limit: from here only the count matters
      }
    }
  }

  /**
   * Sends the unit's state home if the checkpoint interval has passed; after its output and
   * writes, which go first on the same path. A state larger than a message may carry goes over
   * the side channel; one that cannot be encoded is not sent (home then has an older one, or
   * the start).
   */
  private void maybeCheckpoint(UnitTask t) throws Exception {
    long interval = settings.checkpointInterval().toNanos();
    long now = System.nanoTime();
    if (interval <= 0 || now - t.checkpointedNanos < interval) {
      return;
    }
    t.checkpointedNanos = now;
    Payload state;
    try {
      state = codec.encode(t.unit);
    } catch (StateCodecException e) {
      log.warn("job {}: no checkpoint, the state cannot be encoded: {}", t.jobId, e.getMessage());
      return;
    }
    t.stateBytes = state.size();
    if (state.size() > settings.maxResultBytes()) {
      // too large for a message: over the side channel to home, once home has applied the
      // writes it follows (home keeps a checkpoint only if it has those; the output lines
      // went ahead on the path the offer takes)
      t.files.drain();
      if (!t.home.sideCheckpoint(state, t.nextSeq(), t.files.nextSeq(), t.input.consumed(),
          t.cpuNanos, t.steps) && t.checkpointsSkipped++ == 0) {
        log.info("job {}: its state of {} bytes is over drift.executor.max-result-bytes and"
            + " could not go to home over the side channel; home keeps an older checkpoint or"
            + " its start", t.jobId, state.size());
      }
      return;
    }
    t.home.checkpoint(state, t.nextSeq(), t.files.nextSeq(), t.input.consumed(), t.cpuNanos,
        t.steps);
  }

  private void finish(UnitTask t, Object result) throws Exception {
    t.progress = 1.0;
    t.flush();
    t.files.drain(); // a write home refused fails the job, with the reason
    t.files.checkError();
    Payload encoded;
    try {
      encoded = codec.encode(result);
    } catch (StateCodecException e) {
      throw new IllegalStateException("the unit's result cannot be encoded: " + e.getMessage(), e);
    }
    if (encoded.size() > settings.maxResultBytes()) {
      throw new IllegalStateException("the unit's result is " + encoded.size() + " bytes, over"
          + " drift.executor.max-result-bytes (" + settings.maxResultBytes() + "): return a"
          + " summary, and write bulk data to output");
    }
    leave(t);
    t.home.finished(encoded, t.cpuNanos, t.steps);
    listener.ended(t);
  }

  private void maybeReport(UnitTask t) {
    long now = System.nanoTime();
    if (now - t.lastReportNanos >= settings.reportInterval().toNanos()) {
      t.lastReportNanos = now;
      t.home.report(t.progress, t.cpuNanos, t.steps);
    }
  }

  /** The running task leaves the run queue for good. */
  private void leave(UnitTask t) {
    leave(t, UnitTask.Phase.ENDED);
  }

  private void leave(UnitTask t, UnitTask.Phase to) {
    t.files.closeStream(); // paused or ended here: home's sender must not wait on it
    if (t.transition(UnitTask.Phase.RUNNING, to)) {
      count(t, -1);
    }
  }

  private void endCancelled(UnitTask t) {
    closeUnit(t);
    t.home.cancelled(t.cpuNanos, t.steps);
    listener.ended(t);
  }

  /** Lets a unit that stops here unfinished let go of what it holds outside its state. */
  private void closeUnit(UnitTask t) {
    try {
      t.unit.close();
    } catch (Exception | LinkageError e) {
      log.warn("job {} ({}): its unit's close() threw {}", t.jobId, t.jobName, e.toString());
    }
  }

  static String describe(Throwable e) {
    return e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  @Override
  public void close() {
    closed = true;
    for (UnitTask t : live) {
      closeUnit(t); // their jobs end with this node: nothing of theirs outlives it
      t.files.closeStream();
    }
    for (Thread th : threads) {
      if (th != null) {
        th.interrupt();
      }
    }
  }
}
