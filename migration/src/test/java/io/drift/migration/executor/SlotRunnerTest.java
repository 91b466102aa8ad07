package io.drift.migration.executor;

import static io.drift.migration.executor.TestUnits.TIMEOUT;
import static io.drift.migration.executor.TestUnits.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import io.drift.api.units.BurnCpu;
import io.drift.api.units.MonteCarloPi;
import io.drift.api.units.PrimeCount;
import io.drift.api.units.PrintLines;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.RecordingHome.Cancelled;
import io.drift.migration.executor.RecordingHome.Failed;
import io.drift.migration.executor.RecordingHome.Finished;
import io.drift.migration.executor.RecordingHome.Output;
import io.drift.migration.executor.RecordingHome.Report;
import io.drift.migration.executor.TestUnits.Forever;
import io.drift.migration.executor.TestUnits.Gate;
import io.drift.migration.executor.TestUnits.Thrower;
import io.drift.migration.executor.TestUnits.Ticker;
import io.drift.migration.executor.TestUnits.Writes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlotRunnerTest {

  private static final int WINDOW = 64;
  private static final int BATCH = 16;

  static ExecutorSettings settings(int slots) {
    return new ExecutorSettings(slots, Duration.ofMillis(10), Duration.ofMillis(10), BATCH,
        8 * 1024, WINDOW, Duration.ofSeconds(5), 200, 128 * 1024, 100, true);
  }

  /** Records what the runner tells its listener. */
  static final class Events implements SlotRunner.Listener {
    final LinkedBlockingQueue<UnitTask> paused = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<UnitTask> ended = new LinkedBlockingQueue<>();

    @Override
    public void paused(UnitTask task) {
      paused.add(task);
    }

    @Override
    public void ended(UnitTask task) {
      ended.add(task);
    }

    UnitTask awaitPaused() throws InterruptedException {
      UnitTask t = paused.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(t, "no pause within " + TIMEOUT);
      return t;
    }

    UnitTask awaitEnded() throws InterruptedException {
      UnitTask t = ended.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(t, "no end within " + TIMEOUT);
      return t;
    }
  }

  private final StateCodec codec = new StateCodec();
  private final Events listener = new Events();
  private SlotRunner runner;

  @AfterEach
  void closeRunner() {
    if (runner != null) {
      runner.close();
    }
  }

  /** A runner not yet started, so a test can queue tasks in a known order first. */
  private SlotRunner runner(ExecutorSettings s) {
    runner = new SlotRunner(s, codec);
    return runner;
  }

  private UnitTask task(String id, WorkUnit<?> unit, RecordingHome home) {
    return task(id, false, unit, home, 1, 0, 0);
  }

  private UnitTask task(String id, boolean guest, WorkUnit<?> unit, RecordingHome home,
      long firstSeq, long cpuSoFar, long stepsSoFar) {
    UnitTask t = new UnitTask(JobId.of(id), 1, "job " + id, guest ? "elsewhere:1" : "test-host:1", guest, unit, home, "test-host:1",
        runner.settings(), firstSeq, 1, cpuSoFar, stepsSoFar);
    home.attach(t, firstSeq);
    return t;
  }

  private Object decode(Finished f) throws Exception {
    return codec.decode(f.result(), getClass().getClassLoader());
  }

  // ---------------------------------------------------------------- running to the end

  /** Waits in its steps (as the benchmarks' emulated work does), 5 ms each, forever. */
  static final class Waiter implements WorkUnit<Long> {
    @Override
    public Step<Long> step(WorkContext ctx) {
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
      return Step.more();
    }
  }

  @Test
  void theBalancerSeesEachUnitsTimeInStepsAndCpu() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    UnitTask waiter = task("waiter", new Waiter(), home);
    UnitTask burner = task("burner", true, new BurnCpu(60_000), new RecordingHome(), 1, 0, 0);
    runner.enqueue(waiter);
    runner.enqueue(burner);
    java.util.Map<String, io.drift.api.spi.UnitLoad> seen = new java.util.HashMap<>();
    org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit kit =
        org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit.create();
    try {
      // the two share one slot; each must show at least 100 ms of it
      kit.createTestProbe().awaitAssert(java.time.Duration.ofSeconds(5),
          java.time.Duration.ofMillis(20), () -> {
            runner.units().forEach(u -> seen.put(u.jobId(), u));
            assertEquals(2, seen.size());
            seen.values().forEach(u -> assertTrue(u.slotNanos() > 100_000_000L, u.toString()));
            return null;
          });
    } finally {
      kit.shutdownTestKit();
    }
    io.drift.api.spi.UnitLoad w = seen.get("waiter");
    io.drift.api.spi.UnitLoad b = seen.get("burner");
    assertTrue(w.slotNanos() > 100_000_000L, "the waiter held the slot: " + w);
    assertTrue(w.cpuNanos() < w.slotNanos() / 2, "mostly waiting, not computing: " + w);
    assertTrue(b.cpuNanos() > 50_000_000L && b.guest(), "the burner computed: " + b);
    assertTrue(w.residencyNanos() >= w.slotNanos() + b.slotNanos() - 50_000_000L,
        "they took turns on one slot: " + w + " " + b);
    runner.cancel(waiter);
    runner.cancel(burner);
  }

  @Test
  void aUnitRunsToItsEndAndHomeGetsTheEncodedResult() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    Gate<Long> counted = new Gate<>(new PrimeCount(0, 100_000), -1);
    UnitTask t = task("primes", counted, home);
    runner.enqueue(t);

    Finished f = home.awaitEnd(Finished.class);
    assertEquals(9592L, decode(f)); // pi(10^5)
    assertEquals(counted.steps.get(), f.steps(), "steps reported = steps taken");
    assertTrue(f.steps() > 1, "steps: " + f.steps());
    assertTrue(f.cpuNanos() > 0, "cpu: " + f.cpuNanos());
    assertEquals(List.of(new OutputLine(1, OutputLine.Stream.OUT, "primes in [0, 100000): 9592")),
        home.lines());
    assertSame(t, listener.awaitEnded());
    assertEquals(UnitTask.Phase.ENDED, t.phase());
    assertEquals(0, runner.runnableUnits());
  }

  @Test
  void theExecutorDoesNotChangeAResult() throws Exception {
    long seed = 99L;
    double direct = runDirectly(new MonteCarloPi(seed, 1_000_000));
    runner(settings(2)).start(listener);
    RecordingHome home = new RecordingHome();
    runner.enqueue(task("pi", new MonteCarloPi(seed, 1_000_000), home));
    double viaRunner = (Double) decode(home.awaitEnd(Finished.class));
    assertEquals(Double.doubleToRawLongBits(direct), Double.doubleToRawLongBits(viaRunner),
        "seed " + seed);
  }

  @Test
  void numberingAndCountsContinueFromWhatTheUnitDidElsewhere() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    runner.enqueue(task("moved", false, new PrintLines(3), home, 501, 7_000_000, 7));

    Finished f = home.awaitEnd(Finished.class);
    assertEquals(List.of(501L, 502L, 503L), home.lines().stream().map(OutputLine::seq).toList());
    assertEquals(8, f.steps());
    assertTrue(f.cpuNanos() >= 7_000_000, "cpu: " + f.cpuNanos());
  }

  /** A line a step, 1 ms each; its state is two numbers. */
  static final class SlowLines implements WorkUnit<Long> {
    long count;
    long done;

    SlowLines() {}

    SlowLines(long count) {
      this.count = count;
    }

    @Override
    public Step<Long> step(WorkContext ctx) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
      ctx.out("line " + done);
      return ++done == count ? Step.done(done) : Step.more();
    }
  }

  @Test
  void aRunningUnitIsCheckpointedToHomeAfterTheOutputItFollows() throws Exception {
    runner(settings(1).withCheckpointInterval(Duration.ofMillis(20))).start(listener);
    RecordingHome home = new RecordingHome();
    runner.enqueue(task("cp", false, new SlowLines(60), home, 1, 0, 0));
    listener.awaitEnded();
    long linesBefore = 0;
    int checkpoints = 0;
    for (RecordingHome.Event e : home.events) {
      if (e instanceof RecordingHome.Output o) {
        linesBefore = o.lines().get(o.lines().size() - 1).seq();
      } else if (e instanceof RecordingHome.Checkpoint c) {
        checkpoints++;
        assertEquals(linesBefore + 1, c.nextSeq(), "numbered on from the lines sent before it");
        assertEquals(1, c.nextFileSeq());
        assertTrue(c.steps() > 0 && c.cpuNanos() > 0, c.toString());
        assertInstanceOf(SlowLines.class, codec.decode(c.state(), getClass().getClassLoader()));
      }
    }
    assertTrue(checkpoints >= 1, "checkpoints: " + checkpoints);
  }

  @Test
  void theBalancerSeesAUnitsStateSizeOnceItIsCheckpointed() throws Exception {
    runner(settings(1).withCheckpointInterval(Duration.ofMillis(20))).start(listener);
    RecordingHome home = new RecordingHome();
    UnitTask t = task("sized", new Waiter(), home);
    assertEquals(0, t.stateBytes, "not known before it is encoded");
    runner.enqueue(t);
    org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit kit =
        org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit.create();
    try {
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(20), () -> {
        long encoded = home.events.stream()
            .filter(e -> e instanceof RecordingHome.Checkpoint)
            .mapToLong(e -> ((RecordingHome.Checkpoint) e).state().size()).max().orElse(0);
        assertTrue(encoded > 0, "checkpointed");
        assertEquals(encoded, runner.units().get(0).stateBytes());
        return null;
      });
    } finally {
      kit.shutdownTestKit();
      runner.cancel(t);
    }
  }

  @Test
  void noCheckpointsWhenTheyAreOff() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    runner.enqueue(task("none", false, new SlowLines(30), home, 1, 0, 0));
    listener.awaitEnded();
    assertTrue(home.events.stream().noneMatch(e -> e instanceof RecordingHome.Checkpoint));
  }

  @Test
  void progressIsReportedWhileAUnitRuns() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    // 40 ms of CPU cannot fit in one 10 ms slice, so slices end and reports go out
    runner.enqueue(task("burn", new BurnCpu(40), home));
    Finished f = home.awaitEnd(Finished.class);

    List<Report> reports = home.reports();
    assertFalse(reports.isEmpty(), "no report");
    double prev = 0;
    long prevSteps = 0;
    for (Report r : reports) {
      assertTrue(r.progress() >= prev && r.progress() < 1.0, "progress " + reports);
      assertTrue(r.steps() >= prevSteps && r.steps() <= f.steps(), "steps " + reports);
      assertTrue(r.cpuNanos() <= f.cpuNanos(), "cpu " + reports);
      prev = r.progress();
      prevSteps = r.steps();
    }
  }

  // ---------------------------------------------------------------- time slicing

  @Test
  void oneSlotInterleavesTwoLongUnits() throws Exception {
    ConcurrentLinkedQueue<String> timeline = new ConcurrentLinkedQueue<>();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    Duration spin = Duration.ofMillis(2); // 30 steps of 2 ms: 60 ms, six 10 ms slices
    RecordingHome homeA = new RecordingHome();
    RecordingHome homeB = new RecordingHome();
    runner(settings(1));
    runner.enqueue(task("a", new Ticker("A", 30, spin, timeline, inside, maxInside), homeA));
    runner.enqueue(task("b", new Ticker("B", 30, spin, timeline, inside, maxInside), homeB));
    runner.start(listener);

    assertEquals(30, decode(homeA.awaitEnd(Finished.class)));
    assertEquals(30, decode(homeB.awaitEnd(Finished.class)));
    List<String> order = new ArrayList<>(timeline);
    assertEquals(60, order.size());
    assertEquals("A1", order.get(0), order.toString());
    assertTrue(order.indexOf("B1") < order.indexOf("A30"), "B waited for A to end: " + order);
    assertEquals(1, maxInside.get(), "one slot ran two steps at once");
    assertEquals(0, runner.runnableUnits());
  }

  @Test
  void twoSlotsRunTwoUnitsAtOnce() throws Exception {
    CountDownLatch bothInside = new CountDownLatch(2);
    WorkUnit<Boolean> meet = ctx -> {
      bothInside.countDown();
      // only true if the other unit is inside a step at the same time
      return Step.done(bothInside.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    };
    runner(settings(2)).start(listener);
    RecordingHome h1 = new RecordingHome();
    RecordingHome h2 = new RecordingHome();
    runner.enqueue(task("m1", meet, h1));
    runner.enqueue(task("m2", meet, h2));
    assertEquals(true, decode(h1.awaitEnd(Finished.class)));
    assertEquals(true, decode(h2.awaitEnd(Finished.class)));
    assertEquals(2, runner.slots());
  }

  // ---------------------------------------------------------------- pause and resume

  @Test
  void aPausedUnitFreesItsSlotKeepsItsStateAndFinishesAfterResume() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    Gate<Long> gate = new Gate<>(new PrimeCount(0, 200_000), 1);
    UnitTask t = task("paused", true, gate, home, 1, 0, 0);
    runner.enqueue(t);
    gate.awaitEntered();
    assertEquals(1, runner.guests());

    assertFalse(runner.pause(t), "a running unit pauses at its next step boundary");
    gate.open();
    assertSame(t, listener.awaitPaused());
    assertEquals(UnitTask.Phase.PAUSED, t.phase());
    assertEquals(0, runner.runnableUnits());
    assertEquals(0, runner.guests());
    long stepsAtPause = t.steps;
    assertEquals(1, stepsAtPause);

    // the only slot is free: another unit runs to its end meanwhile
    RecordingHome other = new RecordingHome();
    runner.enqueue(task("other", new PrimeCount(0, 10), other));
    assertEquals(4L, decode(other.awaitEnd(Finished.class)));
    assertEquals(1, gate.steps.get(), "the paused unit took a step");
    assertEquals(stepsAtPause, t.steps);
    assertTrue(home.events.stream().noneMatch(e -> e instanceof Finished), "" + home.events);

    assertTrue(runner.resume(t));
    Finished f = home.awaitEnd(Finished.class);
    assertEquals(17984L, decode(f)); // pi(2 * 10^5), as without the pause
    assertEquals(gate.steps.get(), f.steps());
    assertFalse(runner.resume(t), "an ended unit cannot resume");
    assertEquals(0, runner.runnableUnits());
    assertEquals(0, runner.guests());
  }

  @Test
  void aQueuedUnitPausesAtOnce() throws Exception {
    runner(settings(1)).start(listener);
    Gate<Long> blocker = new Gate<>(new PrimeCount(0, 10), 1);
    RecordingHome blockerHome = new RecordingHome();
    runner.enqueue(task("blocker", blocker, blockerHome));
    blocker.awaitEntered();

    RecordingHome home = new RecordingHome();
    Gate<Long> waiting = new Gate<>(new PrimeCount(0, 10), -1);
    UnitTask t = task("waiting", waiting, home);
    runner.enqueue(t);
    assertEquals(2, runner.runnableUnits());
    assertTrue(runner.pause(t), "a queued unit is paused at once");
    assertEquals(UnitTask.Phase.PAUSED, t.phase());
    assertEquals(1, runner.runnableUnits());

    blocker.open();
    assertInstanceOf(Finished.class, blockerHome.awaitEnd());
    assertEquals(0, waiting.steps.get());
    assertTrue(runner.resume(t));
    assertEquals(4L, decode(home.awaitEnd(Finished.class)));
    assertEquals(0, runner.runnableUnits());
  }

  // ---------------------------------------------------------------- cancel

  @Test
  void cancellingAQueuedUnitEndsItWithoutRunningIt() throws Exception {
    runner(settings(1)).start(listener);
    Gate<Long> blocker = new Gate<>(new PrimeCount(0, 10), 1);
    RecordingHome blockerHome = new RecordingHome();
    UnitTask b = task("blocker", blocker, blockerHome);
    runner.enqueue(b);
    blocker.awaitEntered();

    RecordingHome home = new RecordingHome();
    Gate<Long> queued = new Gate<>(new PrimeCount(0, 10), -1);
    UnitTask t = task("queued", true, queued, home, 1, 0, 0);
    runner.enqueue(t);
    assertEquals(1, runner.guests());
    runner.cancel(t);
    assertEquals(new Cancelled(0, 0), home.awaitEnd());
    assertSame(t, listener.awaitEnded());
    assertEquals(1, runner.runnableUnits());
    assertEquals(0, runner.guests());

    blocker.open();
    assertEquals(4L, decode(blockerHome.awaitEnd(Finished.class)));
    assertSame(b, listener.awaitEnded());
    assertEquals(0, queued.steps.get());
    assertEquals(0, runner.runnableUnits());
  }

  @Test
  void cancellingARunningUnitEndsItAtTheNextStepBoundary() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    Gate<Long> gate = new Gate<>(new Forever(), 3);
    UnitTask t = task("running", gate, home);
    runner.enqueue(t);
    gate.awaitEntered();

    runner.cancel(t);
    assertEquals(UnitTask.Phase.RUNNING, t.phase(), "a running step is not interrupted");
    gate.open();
    Cancelled c = home.awaitEnd(Cancelled.class);
    assertEquals(3, c.steps());
    assertSame(t, listener.awaitEnded());
    assertEquals(UnitTask.Phase.ENDED, t.phase());
    assertEquals(0, runner.runnableUnits());
    assertEquals(3, gate.steps.get());
  }

  @Test
  void cancellingAPausedUnitEndsIt() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    Gate<Long> gate = new Gate<>(new Forever(), 2);
    UnitTask t = task("paused", gate, home);
    runner.enqueue(t);
    gate.awaitEntered();
    runner.pause(t);
    gate.open();
    assertSame(t, listener.awaitPaused());

    runner.cancel(t);
    assertEquals(new Cancelled(t.cpuNanos, 2), home.awaitEnd());
    assertSame(t, listener.awaitEnded());
    assertEquals(0, runner.runnableUnits(), "counted out once, not twice");
    assertFalse(runner.resume(t));
  }

  // ---------------------------------------------------------------- failures

  @Test
  void aStepThatThrowsFailsTheUnitWithClassMessageAndTrace() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    UnitTask t = task("thrower", new Thrower(3), home);
    runner.enqueue(t);

    Failed f = home.awaitEnd(Failed.class);
    assertEquals("java.lang.IllegalStateException: boom", f.error());
    assertTrue(f.stackTrace().startsWith("java.lang.IllegalStateException: boom"), f.stackTrace());
    assertTrue(f.stackTrace().contains("at " + Thrower.class.getName() + ".step("),
        f.stackTrace());
    // what the unit wrote before it failed still reaches home, before the failure
    assertEquals(List.of("step 1", "step 2", "step 3"),
        home.lines().stream().map(OutputLine::text).toList());
    assertSame(t, listener.awaitEnded());
    assertEquals(0, runner.runnableUnits());
  }

  @Test
  void aStepThatReturnsNullFailsTheUnit() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    WorkUnit<Long> broken = ctx -> null;
    runner.enqueue(task("null", broken, home));
    Failed f = home.awaitEnd(Failed.class);
    assertTrue(f.error().startsWith("java.lang.IllegalStateException: "), f.error());
    assertTrue(f.error().endsWith(".step returned null"), f.error());
  }

  @Test
  void aResultThatCannotBeEncodedFailsTheUnit() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    WorkUnit<Object> unit = ctx -> Step.done(new Object());
    runner.enqueue(task("bad-result", unit, home));
    Failed f = home.awaitEnd(Failed.class);
    assertTrue(f.error().startsWith(
        "java.lang.IllegalStateException: the unit's result cannot be encoded: cannot encode"
            + " java.lang.Object"), f.error());
    assertEquals(0, runner.runnableUnits());
  }

  // ---------------------------------------------------------------- output

  @Test
  void outputWaitsForAcknowledgementsAndThenArrivesWholeAndInOrder() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    home.autoAck(false);
    Gate<Long> lines = new Gate<>(new PrintLines(10_000), -1);
    UnitTask t = task("lines", lines, home);
    runner.enqueue(t);

    // with nothing acknowledged, the unit's thread parks in its step once the window is full
    awaitCondition("slot thread parked on a full window, " + home.lineCount() + " lines out",
        () -> home.lineCount() >= WINDOW && parkedInFlush(lines.thread.get()));
    assertTrue(home.lineCount() <= WINDOW + BATCH, "delivered " + home.lineCount());
    assertEquals(1, runner.runnableUnits());
    assertTrue(home.events.stream().allMatch(e -> e instanceof Output || e instanceof Report),
        "" + home.events);

    home.autoAck(true);
    home.acknowledgeAll();
    Finished f = home.awaitEnd(Finished.class);
    assertEquals(10_000L, decode(f));

    List<OutputLine> got = home.lines();
    assertEquals(10_000, got.size());
    for (int i = 0; i < got.size(); i++) {
      OutputLine l = got.get(i);
      assertEquals(new OutputLine(i + 1, OutputLine.Stream.OUT, "line " + (i + 1) + " of 10000"),
          l);
    }
    assertTrue(home.maxUnacked() <= WINDOW, "unacknowledged lines: " + home.maxUnacked());
    assertEquals(0, runner.runnableUnits());
  }

  private static boolean parkedInFlush(Thread th) {
    return th != null
        && th.getState() == Thread.State.TIMED_WAITING
        && Arrays.stream(th.getStackTrace()).anyMatch(
            f -> f.getClassName().equals(UnitTask.class.getName())
                && f.getMethodName().equals("flush"));
  }

  @Test
  void aHomeThatNeverAcknowledgesFailsTheUnitAfterTheTimeout() throws Exception {
    ExecutorSettings s = settings(1);
    runner(new ExecutorSettings(1, s.timeSlice(), s.reportInterval(), BATCH, 8 * 1024, WINDOW,
        Duration.ofSeconds(1), 200, 128 * 1024, 100, true)).start(listener);
    RecordingHome home = new RecordingHome();
    home.autoAck(false);
    runner.enqueue(task("deaf", new PrintLines(1_000), home));

    Failed f = home.awaitEnd(Failed.class);
    assertEquals("java.lang.IllegalStateException: home did not acknowledge output of job deaf"
        + " within 1000 ms", f.error());
    assertTrue(home.lineCount() <= WINDOW + BATCH, "delivered " + home.lineCount());
    assertEquals(0, runner.runnableUnits());
  }

  @Test
  void overlyLongLinesAreCutWithANote() throws Exception {
    runner(settings(1)).start(listener);
    RecordingHome home = new RecordingHome();
    String longLine = "x".repeat(250);
    String justFits = "y".repeat(200);
    runner.enqueue(task("long", new Writes(List.of(
        new OutputLine(0, OutputLine.Stream.OUT, longLine),
        new OutputLine(0, OutputLine.Stream.OUT, justFits),
        new OutputLine(0, OutputLine.Stream.ERR, "to stderr"),
        new OutputLine(0, OutputLine.Stream.OUT, null))), home));

    assertEquals(4, decode(home.awaitEnd(Finished.class)));
    assertEquals(List.of(
            new OutputLine(1, OutputLine.Stream.OUT, "x".repeat(200) + " [... 50 more characters cut]"),
            new OutputLine(2, OutputLine.Stream.OUT, justFits),
            new OutputLine(3, OutputLine.Stream.ERR, "to stderr"),
            new OutputLine(4, OutputLine.Stream.OUT, "null")),
        home.lines());
  }

  // ---------------------------------------------------------------- bookkeeping

  @Test
  void countersReturnToZeroWhenEverythingHasEnded() throws Exception {
    runner(settings(2));
    List<RecordingHome> homes = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      RecordingHome h = new RecordingHome();
      homes.add(h);
      WorkUnit<?> unit = switch (i % 3) {
        case 0 -> new PrimeCount(0, 20_000);
        case 1 -> new Thrower(2);
        default -> new PrintLines(300);
      };
      runner.enqueue(task("job-" + i, i % 2 == 0, unit, h, 1, 0, 0));
    }
    assertEquals(6, runner.runnableUnits());
    assertEquals(3, runner.guests());
    runner.start(listener);
    for (RecordingHome h : homes) {
      h.awaitEnd();
    }
    for (int i = 0; i < 6; i++) {
      listener.awaitEnded();
    }
    assertEquals(0, runner.runnableUnits());
    assertEquals(0, runner.guests());
  }

  @Test
  void aRunnerStartsOnce() {
    runner(settings(1)).start(listener);
    assertThrows(IllegalStateException.class, () -> runner.start(listener));
  }

  @Test
  void theContextClampsProgressAndNamesJobAndHost() {
    runner(settings(1));
    RecordingHome home = new RecordingHome();
    UnitTask t = task("ctx", new Forever(), home);
    WorkContext ctx = t.context;
    assertEquals(JobId.of("ctx"), ctx.jobId());
    assertEquals("test-host:1", ctx.hostName());
    ctx.progress(0.25);
    assertEquals(0.25, t.progress);
    ctx.progress(Double.NaN);
    assertEquals(0.25, t.progress);
    ctx.progress(7.0);
    assertEquals(1.0, t.progress);
    ctx.progress(-3.0);
    assertEquals(0.0, t.progress);
  }

  private static double runDirectly(WorkUnit<Double> unit) throws Exception {
    WorkContext quiet = new WorkContext() {
      @Override
      public void out(String line) {}

      @Override
      public void err(String line) {}

      @Override
      public void progress(double fraction) {}

      @Override
      public JobId jobId() {
        return JobId.of("direct");
      }

      @Override
      public String hostName() {
        return "direct:0";
      }
    };
    for (int i = 0; i < 1_000; i++) {
      if (unit.step(quiet) instanceof Step.Done<Double> d) {
        return d.result();
      }
    }
    throw new AssertionError("unit did not finish in 1000 steps");
  }
}
