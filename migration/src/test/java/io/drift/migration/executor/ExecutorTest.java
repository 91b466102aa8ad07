package io.drift.migration.executor;

import static io.drift.migration.executor.TestUnits.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.drift.api.JobId;
import io.drift.api.OutputLine;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import io.drift.api.units.PrimeCount;
import io.drift.api.units.PrintLines;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.Executor.Accepted;
import io.drift.migration.executor.Executor.Cancel;
import io.drift.migration.executor.Executor.Cancelled;
import io.drift.migration.executor.Executor.Command;
import io.drift.migration.executor.Executor.Failed;
import io.drift.migration.executor.Executor.Finished;
import io.drift.migration.executor.Executor.GetUnits;
import io.drift.migration.executor.Executor.HostEvent;
import io.drift.migration.executor.Executor.NotHere;
import io.drift.migration.executor.Executor.OutputAck;
import io.drift.migration.executor.Executor.OutputBatch;
import io.drift.migration.executor.Executor.Pause;
import io.drift.migration.executor.Executor.PauseReply;
import io.drift.migration.executor.Executor.Paused;
import io.drift.migration.executor.Executor.Refused;
import io.drift.migration.executor.Executor.Report;
import io.drift.migration.executor.Executor.Resume;
import io.drift.migration.executor.Executor.Start;
import io.drift.migration.executor.Executor.StartReply;
import io.drift.migration.executor.Executor.UnitInfo;
import io.drift.migration.executor.Executor.Units;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ExecutorTest {

  private static final String SELF = "127.0.0.1:1";
  private static final String OTHER_NODE = "10.0.0.9:2552";

  private static ActorTestKit testKit;

  @BeforeAll
  static void startTestKit() {
    testKit = ActorTestKit.create("ExecutorTest", ConfigFactory.parseString("pekko.loglevel = WARNING"));
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private final StateCodec codec = new StateCodec();
  private final List<ActorRef<Command>> executors = new ArrayList<>();

  @AfterEach
  void stopExecutors() {
    executors.forEach(e -> testKit.stop(e, TIMEOUT));
    Blocker.GATES.values().forEach(g -> g.release.countDown());
  }

  private static ExecutorSettings settings(int slots, int maxRunnable, boolean acceptGuests) {
    return new ExecutorSettings(slots, Duration.ofMillis(10), Duration.ofMillis(10), 16, 8 * 1024,
        64, Duration.ofSeconds(5), 200, 128 * 1024, maxRunnable, acceptGuests);
  }

  private ActorRef<Command> executor(ExecutorSettings s) {
    ActorRef<Command> ex = testKit.spawn(Executor.create(new SlotRunner(s, codec), codec, SELF,
        MigrationSettings.fromConfig(com.typesafe.config.ConfigFactory.load())));
    executors.add(ex);
    return ex;
  }

  private ActorRef<Command> executor() {
    return executor(settings(2, 100, true));
  }

  private Payload encode(Object unit) throws Exception {
    return codec.encode(unit);
  }

  private StartReply start(ActorRef<Command> ex, String job, long epoch, String homeNode,
      Payload unit, long firstSeq, TestProbe<HostEvent> home) {
    TestProbe<StartReply> reply = testKit.createTestProbe();
    ex.tell(new Start(JobId.of(job), epoch, "job " + job, homeNode, unit, firstSeq, 0, 0,
        home.ref(), reply.ref()));
    StartReply r = reply.receiveMessage(TIMEOUT);
    assertEquals(JobId.of(job), r.jobId());
    assertEquals(epoch, r.epoch());
    return r;
  }

  private void startAccepted(ActorRef<Command> ex, String job, long epoch, Object unit,
      TestProbe<HostEvent> home) throws Exception {
    assertEquals(new Accepted(JobId.of(job), epoch, SELF),
        start(ex, job, epoch, SELF, encode(unit), 1, home));
  }

  private String refusal(ActorRef<Command> ex, String job, String homeNode, Payload unit) {
    TestProbe<HostEvent> home = testKit.createTestProbe();
    Refused r = assertInstanceOf(Refused.class, start(ex, job, 1, homeNode, unit, 1, home));
    assertEquals(SELF, r.host());
    return r.reason();
  }

  /**
   * Plays a job's home: acknowledges each output batch, keeps the lines, checks every event is
   * for this job and epoch, and returns the last event (finished, failed or cancelled).
   */
  private HostEvent awaitEnd(TestProbe<HostEvent> home, String job, long epoch,
      List<OutputLine> lines) {
    for (int i = 0; i < 100_000; i++) {
      HostEvent e = home.receiveMessage(TIMEOUT);
      assertEquals(JobId.of(job), e.jobId(), e.toString());
      assertEquals(epoch, e.epoch(), e.toString());
      if (e instanceof OutputBatch b) {
        lines.addAll(b.lines());
        b.ackTo().tell(new OutputAck(b.jobId(), b.epoch(), b.lines().get(b.lines().size() - 1).seq()));
      } else if (!(e instanceof Report)) {
        return e;
      }
    }
    return fail("no end after 100,000 events");
  }

  private HostEvent awaitEnd(TestProbe<HostEvent> home, String job, long epoch) {
    return awaitEnd(home, job, epoch, new ArrayList<>());
  }

  private List<UnitInfo> units(ActorRef<Command> ex) {
    TestProbe<Units> probe = testKit.createTestProbe();
    ex.tell(new GetUnits(probe.ref()));
    Units u = probe.receiveMessage(TIMEOUT);
    assertEquals(SELF, u.host());
    return u.units();
  }

  private void awaitNoUnits(ActorRef<Command> ex) {
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertEquals(List.of(), units(ex));
      return null;
    });
  }

  /**
   * An encodable unit that waits (bounded) at step {@code blockAt} until the test opens its gate,
   * and ends after {@code total} steps. Gates live in a static map since a unit is decoded anew.
   */
  static final class Blocker implements WorkUnit<String> {
    record Gates(CountDownLatch entered, CountDownLatch release) {}

    static final Map<String, Gates> GATES = new ConcurrentHashMap<>();

    private String key;
    private int blockAt;
    private int total;
    private int steps;

    private Blocker() {}

    Blocker(String key, int blockAt, int total) {
      this.key = key;
      this.blockAt = blockAt;
      this.total = total;
      GATES.put(key, new Gates(new CountDownLatch(1), new CountDownLatch(1)));
    }

    @Override
    public Step<String> step(WorkContext ctx) throws InterruptedException {
      steps++;
      if (steps == blockAt) {
        Gates g = GATES.get(key);
        g.entered.countDown();
        if (!g.release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException("the test never opened gate " + key);
        }
      }
      return steps >= total ? Step.done(key + " after " + steps + " steps") : Step.more();
    }

    static void awaitEntered(String key) throws InterruptedException {
      if (!GATES.get(key).entered.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("unit " + key + " did not reach its gate within " + TIMEOUT);
      }
    }

    static void open(String key) {
      GATES.get(key).release.countDown();
    }
  }

  static final class Exploding implements WorkUnit<Long> {
    private int steps;

    @Override
    public Step<Long> step(WorkContext ctx) {
      if (++steps == 2) {
        throw new IllegalStateException("boom");
      }
      return Step.more();
    }
  }

  // ---------------------------------------------------------------- start and finish

  @Test
  void aStartedUnitRunsAndItsHomeHearsTheResult() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "primes", 1, new PrimeCount(0, 100_000), home);

    List<OutputLine> lines = new ArrayList<>();
    Finished f = assertInstanceOf(Finished.class, awaitEnd(home, "primes", 1, lines));
    assertEquals(9592L, codec.decode(f.result(), getClass().getClassLoader())); // pi(10^5)
    assertTrue(f.steps() > 1 && f.cpuNanos() > 0, f.toString());
    assertEquals(List.of(new OutputLine(1, OutputLine.Stream.OUT, "primes in [0, 100000): 9592")),
        lines);
    awaitNoUnits(ex);
  }

  @Test
  void outputFlowsAsHomeAcknowledgesItNumberedFromFirstSeq() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    // 1,000 lines through a window of 64: only acknowledgements let the unit finish
    assertInstanceOf(Accepted.class,
        start(ex, "lines", 4, SELF, encode(new PrintLines(1_000)), 41, home));

    List<OutputLine> lines = new ArrayList<>();
    Finished f = assertInstanceOf(Finished.class, awaitEnd(home, "lines", 4, lines));
    assertEquals(1_000L, codec.decode(f.result(), getClass().getClassLoader()));
    assertEquals(1_000, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(new OutputLine(41 + i, OutputLine.Stream.OUT, "line " + (i + 1) + " of 1000"),
          lines.get(i));
    }
  }

  @Test
  void aFailingUnitReportsItsError() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "explodes", 2, new Exploding(), home);
    Failed f = assertInstanceOf(Failed.class, awaitEnd(home, "explodes", 2));
    assertEquals("java.lang.IllegalStateException: boom", f.error());
    assertTrue(f.stackTrace().contains(Exploding.class.getName()), f.stackTrace());
    awaitNoUnits(ex);
  }

  // ---------------------------------------------------------------- refusals

  @Test
  void aUnitClassMissingHereIsRefused() throws Exception {
    Payload missing = new Payload("com.example.Missing", encode(new PrimeCount(0, 10)).bytes());
    String reason = refusal(executor(), "missing", SELF, missing);
    assertTrue(reason.contains("com.example.Missing"), reason);
    assertTrue(reason.contains("not on the class path"), reason);
  }

  @Test
  void aPayloadThatIsNotAWorkUnitIsRefused() throws Exception {
    String reason = refusal(executor(), "number", SELF, encode(42L));
    assertEquals("java.lang.Long is not a " + WorkUnit.class.getName(), reason);
    assertTrue(refused(executor(), "number2", encode(42L)).stateRejected(),
        "no node would run it: its home must not place it again");
  }

  private Refused refused(ActorRef<Command> ex, String job, Payload unit) {
    TestProbe<HostEvent> home = testKit.createTestProbe();
    return assertInstanceOf(Refused.class, start(ex, job, 1, SELF, unit, 1, home));
  }

  @Test
  void aPayloadThatCannotBeDecodedIsRefused() throws Exception {
    Payload corrupt = new Payload(PrimeCount.class.getName(), new byte[] {(byte) 0xff, 1, 2});
    String reason = refusal(executor(), "corrupt", SELF, corrupt);
    assertTrue(reason.startsWith("cannot decode " + PrimeCount.class.getName()), reason);
    assertTrue(refused(executor(), "corrupt2", corrupt).stateRejected());
    // a node that is full refuses for now: another may take the job
    assertFalse(new Refused(JobId.of("x"), 1, SELF, "full").stateRejected());
  }

  @Test
  void aSecondStartOfARunningJobIsRefusedAndTheFirstRunsOn() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "twice", 1, new Blocker("twice", 1, 2), home);
    Blocker.awaitEntered("twice");

    String reason = refusal(ex, "twice", SELF, encode(new PrimeCount(0, 10)));
    assertEquals("job twice already runs here under epoch 1 (running)", reason);

    Blocker.open("twice");
    Finished f = assertInstanceOf(Finished.class, awaitEnd(home, "twice", 1));
    assertEquals("twice after 2 steps", codec.decode(f.result(), getClass().getClassLoader()));
    // once it has ended, the job may be started here again
    awaitNoUnits(ex);
    TestProbe<HostEvent> again = testKit.createTestProbe();
    startAccepted(ex, "twice", 2, new PrimeCount(0, 10), again);
    assertInstanceOf(Finished.class, awaitEnd(again, "twice", 2));
  }

  @Test
  void guestsAreRefusedByANodeThatDoesNotTakeThem() throws Exception {
    ActorRef<Command> ex = executor(settings(1, 100, false));
    String reason = refusal(ex, "guest", OTHER_NODE, encode(new PrimeCount(0, 10)));
    assertEquals("node " + SELF + " does not accept guests", reason);
    // its own jobs still run
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "own", 1, new PrimeCount(0, 10), home);
    assertInstanceOf(Finished.class, awaitEnd(home, "own", 1));
  }

  @Test
  void aFullNodeRefusesMoreUnits() throws Exception {
    ActorRef<Command> ex = executor(settings(1, 1, true));
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "first", 1, new Blocker("full", 1, 1), home);
    Blocker.awaitEntered("full");

    String reason = refusal(ex, "second", SELF, encode(new PrimeCount(0, 10)));
    assertTrue(reason.startsWith("node " + SELF + " is full"), reason);
    Blocker.open("full");
    assertInstanceOf(Finished.class, awaitEnd(home, "first", 1));
  }

  @Test
  void aNodeBusierThanItsHomeBelievedRefusesANewJobAndSaysHowBusy() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "running", 1, new Blocker("busy", 1, 1), home);
    Blocker.awaitEntered("busy");

    TestProbe<StartReply> reply = testKit.createTestProbe();
    Payload unit = encode(new PrimeCount(0, 10));
    ex.tell(new Start(JobId.of("late"), 1, "late", SELF, unit, 1, 0, 0, 0, home.ref(),
        reply.ref()));
    Refused r = reply.expectMessageClass(Refused.class, TIMEOUT);
    assertTrue(r.busierThanBelieved(), r.reason());
    assertEquals(1, r.runQueue(), "the running unit");
    assertTrue(r.reason().contains("believed 0"), r.reason());
    // believed right, or not checked: it runs
    ex.tell(new Start(JobId.of("late"), 2, "late", SELF, unit, 1, 0, 0, 1, home.ref(),
        reply.ref()));
    assertEquals(new Accepted(JobId.of("late"), 2, SELF), reply.receiveMessage(TIMEOUT));
    ex.tell(new Start(JobId.of("unchecked"), 1, "unchecked", SELF, unit, 1, 0, 0,
        Executor.NO_BELIEF, home.ref(), reply.ref()));
    assertEquals(new Accepted(JobId.of("unchecked"), 1, SELF), reply.receiveMessage(TIMEOUT));
    // other refusals carry no run queue: the home must not try that node again
    assertFalse(new Refused(JobId.of("x"), 1, SELF, "full").busierThanBelieved());
    Blocker.open("busy");
  }

  // ---------------------------------------------------------------- cancel

  @Test
  void aCancelWithAStaleEpochIsIgnored() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "stale", 3, new Blocker("stale", 1, 3), home);
    Blocker.awaitEntered("stale");

    ex.tell(new Cancel(JobId.of("stale"), 2));
    // GetUnits is answered after the Cancel was handled: the unit is still there
    assertEquals(List.of(new UnitInfo(JobId.of("stale"), "job stale", 3, false, "RUNNING", SELF)),
        units(ex));
    Blocker.open("stale");
    Finished f = assertInstanceOf(Finished.class, awaitEnd(home, "stale", 3));
    assertEquals(3, f.steps());
  }

  @Test
  void aCancelWithTheCurrentEpochStopsTheUnit() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "doomed", 3, new Blocker("doomed", 1, 1_000), home);
    Blocker.awaitEntered("doomed");

    ex.tell(new Cancel(JobId.of("doomed"), 3));
    units(ex); // the Cancel has been handled
    Blocker.open("doomed");
    Cancelled c = assertInstanceOf(Cancelled.class, awaitEnd(home, "doomed", 3));
    assertEquals(1, c.steps());
    awaitNoUnits(ex);
  }

  // ---------------------------------------------------------------- pause and resume

  @Test
  void aPausedUnitResumesAndFinishes() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "nap", 1, new Blocker("nap", 1, 5), home);
    Blocker.awaitEntered("nap");

    TestProbe<PauseReply> pauser = testKit.createTestProbe();
    ex.tell(new Pause(JobId.of("nap"), pauser.ref()));
    units(ex); // the Pause has been handled while the step still runs
    Blocker.open("nap");
    Paused p = assertInstanceOf(Paused.class, pauser.receiveMessage(TIMEOUT));
    assertEquals(JobId.of("nap"), p.jobId());
    assertEquals(1, p.epoch());
    assertEquals(1, p.steps());
    assertEquals(List.of(new UnitInfo(JobId.of("nap"), "job nap", 1, false, "PAUSED", SELF)), units(ex));

    // pausing a paused unit answers at once, with the same counts
    ex.tell(new Pause(JobId.of("nap"), pauser.ref()));
    assertEquals(p, pauser.receiveMessage(TIMEOUT));

    ex.tell(new Resume(JobId.of("nap")));
    Finished f = assertInstanceOf(Finished.class, awaitEnd(home, "nap", 1));
    assertEquals("nap after 5 steps", codec.decode(f.result(), getClass().getClassLoader()));
    assertEquals(5, f.steps());
  }

  @Test
  void aPauseOfAJobNotHereSaysSo() {
    TestProbe<PauseReply> pauser = testKit.createTestProbe();
    executor().tell(new Pause(JobId.of("nowhere"), pauser.ref()));
    assertEquals(new NotHere(JobId.of("nowhere")), pauser.receiveMessage(TIMEOUT));
  }

  @Test
  void aPauseThatComesTooLateIsAnsweredWhenTheUnitEnds() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> home = testKit.createTestProbe();
    startAccepted(ex, "last", 1, new Blocker("last", 2, 2), home); // blocks in its last step
    Blocker.awaitEntered("last");

    TestProbe<PauseReply> pauser = testKit.createTestProbe();
    ex.tell(new Pause(JobId.of("last"), pauser.ref()));
    units(ex);
    Blocker.open("last");
    assertInstanceOf(Finished.class, awaitEnd(home, "last", 1));
    assertEquals(new NotHere(JobId.of("last")), pauser.receiveMessage(TIMEOUT));
  }

  // ---------------------------------------------------------------- listing

  @Test
  void getUnitsListsRunningUnitsAndWhetherTheyAreGuests() throws Exception {
    ActorRef<Command> ex = executor();
    TestProbe<HostEvent> ownHome = testKit.createTestProbe();
    TestProbe<HostEvent> guestHome = testKit.createTestProbe();
    startAccepted(ex, "own", 1, new Blocker("own", 1, 1), ownHome);
    assertEquals(new Accepted(JobId.of("visitor"), 7, SELF),
        start(ex, "visitor", 7, OTHER_NODE, encode(new Blocker("visitor", 1, 1)), 1, guestHome));
    Blocker.awaitEntered("own");
    Blocker.awaitEntered("visitor");

    TestProbe<Units> probe = testKit.createTestProbe();
    ex.tell(new GetUnits(probe.ref()));
    Units u = probe.receiveMessage(TIMEOUT);
    assertEquals(SELF, u.host());
    assertEquals(2, u.slots());
    assertEquals(2, u.units().size(), u.toString());
    assertTrue(u.units().contains(new UnitInfo(JobId.of("own"), "job own", 1, false, "RUNNING", SELF)),
        u.toString());
    assertTrue(
        u.units().contains(new UnitInfo(JobId.of("visitor"), "job visitor", 7, true, "RUNNING", OTHER_NODE)),
        u.toString());

    Blocker.open("own");
    Blocker.open("visitor");
    assertInstanceOf(Finished.class, awaitEnd(ownHome, "own", 1));
    assertInstanceOf(Finished.class, awaitEnd(guestHome, "visitor", 7));
    awaitNoUnits(ex);
  }
}
