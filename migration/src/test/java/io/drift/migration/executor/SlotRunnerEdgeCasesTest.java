package io.drift.migration.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.api.Step;
import io.drift.api.WorkUnit;
import io.drift.api.units.PrimeCount;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.RecordingHome.Failed;
import io.drift.migration.executor.RecordingHome.Finished;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Units that misbehave in ways the executor must survive: interrupts, odd characters. */
class SlotRunnerEdgeCasesTest {

  private final StateCodec codec = new StateCodec();
  private final SlotRunner runner = new SlotRunner(SlotRunnerTest.settings(1), codec);

  @AfterEach
  void close() {
    runner.close();
  }

  private UnitTask task(String id, WorkUnit<?> unit, RecordingHome home) {
    UnitTask t = new UnitTask(JobId.of(id), 1, id, "test-host:1", false, unit, home, "test-host:1",
        runner.settings(), 1, 1, 0, 0);
    home.attach(t, 1);
    return t;
  }

  /** The only slot still runs units: a short one finishes. */
  private void assertTheSlotStillRuns() throws Exception {
    RecordingHome next = new RecordingHome();
    runner.enqueue(task("next", new PrimeCount(0, 10), next));
    Finished f = next.awaitEnd(Finished.class);
    assertEquals(4L, codec.decode(f.result(), getClass().getClassLoader()));
    assertEquals(0, runner.runnableUnits());
  }

  @Test
  void aStepThatThrowsInterruptedExceptionFailsTheUnitAndTheSlotRunsOn() throws Exception {
    runner.start(new SlotRunnerTest.Events());
    RecordingHome home = new RecordingHome();
    WorkUnit<Long> unit = ctx -> {
      throw new InterruptedException("user code");
    };
    runner.enqueue(task("interrupted", unit, home));
    assertEquals("java.lang.InterruptedException: user code", home.awaitEnd(Failed.class).error());
    assertTheSlotStillRuns();
  }

  @Test
  void aUnitThatLeavesTheInterruptFlagSetDoesNotKillItsSlot() throws Exception {
    runner.start(new SlotRunnerTest.Events());
    RecordingHome home = new RecordingHome();
    WorkUnit<Long> unit = ctx -> {
      Thread.currentThread().interrupt();
      return Step.done(1L);
    };
    runner.enqueue(task("flag", unit, home));
    home.awaitEnd(Finished.class);
    assertTheSlotStillRuns();
  }

  @Test
  void cuttingALongLineNeverSplitsASurrogatePair() throws Exception {
    runner.start(new SlotRunnerTest.Events());
    RecordingHome home = new RecordingHome();
    String line = "a" + "\uD834\uDD1E".repeat(150); // U+1D11E takes two chars; cut falls inside
    WorkUnit<Long> unit = ctx -> {
      ctx.out(line);
      return Step.done(1L);
    };
    runner.enqueue(task("clef", unit, home));
    home.awaitEnd(Finished.class);
    String text = home.lines().get(0).text();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired = Character.isHighSurrogate(c)
          ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
          : !Character.isLowSurrogate(c) || Character.isHighSurrogate(text.charAt(i - 1));
      assertTrue(paired, "lone surrogate at " + i + " of the cut line");
    }
  }

  @Test
  void aLineWithALoneSurrogateIsRepairedNotLost() throws Exception {
    runner.start(new SlotRunnerTest.Events());
    RecordingHome home = new RecordingHome();
    WorkUnit<Long> unit = ctx -> {
      ctx.out("before \uD834 after");
      ctx.out("\uDD1E at the start");
      return Step.done(1L);
    };
    runner.enqueue(task("lone", unit, home));
    home.awaitEnd(Finished.class);
    assertEquals("before \uFFFD after", home.lines().get(0).text());
    assertEquals("\uFFFD at the start", home.lines().get(1).text());
  }

  @Test
  void aResultTooLargeForOneMessageFailsTheJobSayingWhy() throws Exception {
    runner.start(new SlotRunnerTest.Events());
    RecordingHome home = new RecordingHome();
    WorkUnit<String> unit = ctx -> Step.done("x".repeat(200_000));
    runner.enqueue(task("huge", unit, home));
    String error = home.awaitEnd(Failed.class).error();
    assertTrue(error.contains("over drift.executor.max-result-bytes (131072)"), error);
    assertTheSlotStillRuns();
  }

  @Test
  void aHugeExceptionMessageIsCutBeforeItTravels() throws Exception {
    runner.start(new SlotRunnerTest.Events());
    RecordingHome home = new RecordingHome();
    WorkUnit<Long> unit = ctx -> {
      throw new IllegalStateException("m".repeat(300_000));
    };
    runner.enqueue(task("loud", unit, home));
    Failed f = home.awaitEnd(Failed.class);
    assertTrue(f.error().length() <= io.drift.migration.Limits.ERROR_CHARS + 60, "" + f.error().length());
    assertTrue(f.stackTrace().length() <= io.drift.migration.Limits.STACK_TRACE_CHARS + 60);
  }
}
