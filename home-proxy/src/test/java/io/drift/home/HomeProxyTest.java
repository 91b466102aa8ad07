package io.drift.home;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.api.units.PrintLines;
import io.drift.balancer.Balancer;
import io.drift.balancer.HomeStarts;
import io.drift.balancer.policy.Admission;
import io.drift.balancer.policy.PlacementDecision;
import io.drift.migration.Limits;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.Executor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The home proxy against probes standing in for the balancer, the manager and the executors.
 * Timers run on {@link ManualTime}: a start timeout or a retry happens exactly when the test
 * moves the clock, never by accident on a slow machine.
 */
class HomeProxyTest {

  static final String HOME = "home:25520";
  static final Duration START_TIMEOUT = Duration.ofMillis(300);
  static final Duration RETRY = Duration.ofMillis(100);
  static final HomeSettings SETTINGS = new HomeSettings(START_TIMEOUT, RETRY, 1000, 1000, 10);
  /** Real time to wait for a message that must not come. */
  static final Duration QUIET = Duration.ofMillis(150);

  static ActorTestKit testKit;
  static ManualTime time;
  static Payload unit;
  static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startSystem() throws Exception {
    testKit = ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
    time = ManualTime.get(testKit.system());
    unit = new StateCodec().encode(new PrintLines(3));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  // ---- harness --------------------------------------------------------------------------------

  /** One proxy under test, with probes for everything it talks to. */
  static final class Job {
    final JobId id = JobId.of("job-" + ids.incrementAndGet());
    final TestProbe<Balancer.Command> balancer = testKit.createTestProbe(Balancer.Command.class);
    final TestProbe<HomeManager.Command> manager = testKit.createTestProbe(HomeManager.Command.class);
    final ActorRef<HomeProxy.Command> proxy;

    Job() {
      this(SETTINGS);
    }

    Job(HomeSettings settings) {
      this(settings, false);
    }

    /**
     * @param managerWatches the manager follows the job's hosts ({@link HomeManager.WatchHost}),
     *     as on a node; else the proxy watches them itself
     */
    Job(HomeSettings settings, boolean managerWatches) {
      HomeProxy.Spec spec = new HomeProxy.Spec(id, "print-3", PrintLines.class.getName(), 64,
          true, unit);
      proxy = testKit.spawn(managerWatches
          ? HomeProxy.create(spec, HOME, 1_000L, settings, balancer.ref(), manager.ref(),
              new StateCodec(), null, null, null, null, -1, null,
              new ExecutorRefs(ActorRefResolver.get(testKit.system())))
          : HomeProxy.create(spec, HOME, 1_000L, settings, balancer.ref(), manager.ref(),
              new StateCodec()));
    }

    /** A job that declares no memory, on a node whose free slots it may take ({@code starts}). */
    Job(HomeStarts starts) {
      HomeProxy.Spec spec = new HomeProxy.Spec(id, "print-3", PrintLines.class.getName(), 0,
          true, unit);
      proxy = testKit.spawn(HomeProxy.create(spec, HOME, 1_000L, SETTINGS, balancer.ref(),
          manager.ref(), new StateCodec(), null, null, null, null, -1, null,
          new ExecutorRefs(ActorRefResolver.get(testKit.system())), starts));
    }

    Balancer.Place expectPlace() {
      Balancer.Place p = balancer.expectMessageClass(Balancer.Place.class);
      assertEquals(id, p.jobId());
      return p;
    }

    /** Answers the next Place with this executor and returns the Start it then receives. */
    Executor.Start placeOn(String node, ActorRef<?> executorRef, TestProbe<Executor.Command> sees) {
      Balancer.Place p = expectPlace();
      p.replyTo().tell(new Balancer.Placed(id, node, path(executorRef), placedOn(id, node)));
      Executor.Start s = sees.expectMessageClass(Executor.Start.class);
      info(); // the proxy has handled the placement: its start timer is set
      return s;
    }

    Executor.Start placeOn(String node, TestProbe<Executor.Command> exec) {
      return placeOn(node, exec.ref(), exec);
    }

    Executor.Start running(String node, TestProbe<Executor.Command> exec) {
      Executor.Start s = placeOn(node, exec);
      s.replyTo().tell(new Executor.Accepted(id, s.epoch(), node));
      assertEquals(JobState.RUNNING, info().state());
      return s;
    }

    JobInfo info() {
      TestProbe<HomeProxy.InfoReply> p = testKit.createTestProbe(HomeProxy.InfoReply.class);
      proxy.tell(new HomeProxy.GetInfo(p.ref()));
      return p.receiveMessage().info();
    }

    TestProbe<HomeProxy.JobEvent> subscribe() {
      TestProbe<HomeProxy.JobEvent> s = testKit.createTestProbe(HomeProxy.JobEvent.class);
      proxy.tell(new HomeProxy.Subscribe(s.ref()));
      return s;
    }

    TestProbe<HomeProxy.InfoReply> cancel(String reason) {
      TestProbe<HomeProxy.InfoReply> w = testKit.createTestProbe(HomeProxy.InfoReply.class);
      proxy.tell(new HomeProxy.Cancel(reason, w.ref()));
      return w;
    }

    HomeManager.Updated expectUpdated(JobState state) {
      HomeManager.Updated u = manager.expectMessageClass(HomeManager.Updated.class);
      assertEquals(state, u.info().state(), u.toString());
      return u;
    }
  }

  static String path(ActorRef<?> ref) {
    return ActorRefResolver.get(testKit.system()).toSerializationFormat(ref);
  }

  static PlacementDecision placedOn(JobId id, String node) {
    return new PlacementDecision(id.value(), Optional.of(node), "test placement", List.of());
  }

  static TestProbe<Executor.Command> executor() {
    return testKit.createTestProbe(Executor.Command.class);
  }

  static List<OutputLine> lines(long from, long to) {
    List<OutputLine> l = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      l.add(new OutputLine(i, i % 2 == 0 ? OutputLine.Stream.ERR : OutputLine.Stream.OUT,
          "line " + i));
    }
    return l;
  }

  static Executor.OutputBatch batch(Job job, long epoch, long from, long to,
      TestProbe<Executor.Command> ackTo) {
    return new Executor.OutputBatch(job.id, epoch, lines(from, to), ackTo.ref());
  }

  /** Moves the clock, then checks that none of these probes hears anything for a while. */
  static void quietAfter(Duration advance, TestProbe<?>... probes) {
    time.timePasses(advance);
    probes[0].expectNoMessage(QUIET);
    for (int i = 1; i < probes.length; i++) {
      probes[i].expectNoMessage(Duration.ofMillis(1));
    }
  }

  static HomeProxy.Completed expectCompleted(TestProbe<HomeProxy.JobEvent> s, JobState state) {
    HomeProxy.Completed c = s.expectMessageClass(HomeProxy.Completed.class);
    assertEquals(state, c.info().state(), c.toString());
    return c;
  }

  // ---- placing and starting ---------------------------------------------------------------

  @Test
  void asksForAPlaceThenStartsThereUnderEpochOne() {
    Job job = new Job();
    Balancer.Place place = job.expectPlace();
    assertEquals(64, place.memoryMb());
    assertEquals(Set.of(), place.excluded());

    TestProbe<Executor.Command> exec = executor();
    place.replyTo().tell(new Balancer.Placed(job.id, "n1:1", path(exec.ref()),
        placedOn(job.id, "n1:1")));
    Executor.Start start = exec.expectMessageClass(Executor.Start.class);
    assertEquals(job.id, start.jobId());
    assertEquals(1, start.epoch());
    assertEquals(1, start.firstSeq());
    assertEquals(0, start.cpuNanosSoFar());
    assertEquals(0, start.stepsSoFar());
    assertEquals(HOME, start.homeNode());
    assertEquals("print-3", start.jobName());
    assertEquals(unit, start.unit());

    JobInfo starting = job.info();
    assertEquals(JobState.PENDING, starting.state());
    assertEquals(1, starting.epoch());
    assertEquals("n1:1", starting.host());

    start.replyTo().tell(new Executor.Accepted(job.id, 1, "n1:1"));
    HomeManager.Updated u = job.expectUpdated(JobState.RUNNING);
    assertEquals("n1:1", u.info().host());
    assertEquals(1, u.info().epoch());
    JobInfo info = job.info();
    assertEquals(JobState.RUNNING, info.state());
    assertEquals("n1:1", info.host());
    assertEquals(HOME, info.home());
    assertEquals(job.id, info.id());
    assertEquals(PrintLines.class.getName(), info.unitClass());
    assertEquals(1_000L, info.submittedAtMillis());

    // accepted in time: the start timeout must not fire any more
    quietAfter(START_TIMEOUT.multipliedBy(2), exec, job.balancer);
    assertEquals(JobState.RUNNING, job.info().state());
  }

  @Test
  void theManagerFollowsAnotherNodesExecutorForTheJobButNotThisNodesOwn() throws Exception {
    Payload result = new StateCodec().encode(1L);
    Job away = new Job(SETTINGS, true);
    TestProbe<Executor.Command> exec = executor();
    Executor.Start s = away.running("n1:1", exec);
    assertEquals(exec.ref(), away.manager.expectMessageClass(HomeManager.WatchHost.class)
        .executor());
    away.expectUpdated(JobState.RUNNING);
    s.home().tell(new Executor.Finished(away.id, 1, result, 0, 1));
    assertEquals(exec.ref(), away.manager.expectMessageClass(HomeManager.UnwatchHost.class)
        .executor());
    away.expectUpdated(JobState.SUCCEEDED);

    // this node's executor stops only with the node, proxy and all: following it would cost
    // the manager two messages for each job that runs at home, as most do (decision 0035)
    Job atHome = new Job(SETTINGS, true);
    TestProbe<Executor.Command> own = executor();
    Executor.Start h = atHome.running(HOME, own);
    atHome.expectUpdated(JobState.RUNNING);
    h.home().tell(new Executor.Finished(atHome.id, 1, result, 0, 1));
    atHome.expectUpdated(JobState.SUCCEEDED);
    atHome.manager.expectNoMessage(QUIET);
  }

  /** This node's executor for {@link HomeStarts}: two slots, a run queue the test sets. */
  static final class HomeNode implements io.drift.api.spi.LocalLoad {
    volatile int runnable;

    @Override
    public int slots() {
      return 2;
    }

    @Override
    public int runnableUnits() {
      return runnable;
    }

    @Override
    public long admitted() {
      return 0;
    }

    @Override
    public int guests() {
      return 0;
    }

    @Override
    public boolean acceptsGuests() {
      return true;
    }
  }

  @Test
  void aJobTakesAFreeSlotAtHomeWithoutAskingTheBalancerAndGivesItBackAtTheAnswer() {
    HomeNode node = new HomeNode();
    TestProbe<Executor.Command> own = executor();
    HomeStarts starts = new HomeStarts(node, HOME, path(own.ref()), 10);
    starts.open(true);
    node.runnable = 1;

    Job first = new Job(starts);
    Executor.Start s = own.expectMessageClass(Executor.Start.class);
    assertEquals(first.id, s.jobId());
    assertEquals(1, s.epoch());
    assertEquals(1, s.believedRunQueue(), "the run queue it took its slot against");
    first.balancer.expectNoMessage(QUIET);
    assertEquals(1, starts.outstanding());

    // the last slot is held until the executor answers: the next job asks the balancer
    Job second = new Job(starts);
    second.expectPlace();
    own.expectNoMessage(Duration.ofMillis(1));

    node.runnable = 2; // admitted, then the answer
    s.replyTo().tell(new Executor.Accepted(first.id, 1, HOME));
    assertEquals(JobState.RUNNING, first.info().state());
    assertEquals(0, starts.outstanding(), "given back at the answer");

    // refused as busier than it believed: given back, and the balancer places it, told so
    node.runnable = 0;
    Job third = new Job(starts);
    Executor.Start t = own.expectMessageClass(Executor.Start.class);
    assertEquals(third.id, t.jobId());
    t.replyTo().tell(new Executor.Refused(third.id, 1, HOME, "busier", 2));
    Balancer.Place again = third.expectPlace();
    assertEquals(Map.of(HOME, 2), again.observed());
    assertEquals(0, starts.outstanding());

    // stopped with its start outstanding (its node going down): the slot is not kept
    Job fourth = new Job(starts);
    assertEquals(fourth.id, own.expectMessageClass(Executor.Start.class).jobId());
    assertEquals(1, starts.outstanding());
    testKit.stop(fourth.proxy); // returns once it has stopped
    assertEquals(0, starts.outstanding(), "a stopped proxy keeps no slot");
  }

  @Test
  void refusedStartIsPlacedElsewhereUnderTheNextEpochAndOldEpochIsFenced() {
    Job job = new Job();
    TestProbe<Executor.Command> exec1 = executor();
    Executor.Start first = job.placeOn("n1:1", exec1);
    first.replyTo().tell(new Executor.Refused(job.id, 1, "n1:1", "node n1:1 is full"));

    Balancer.Place again = job.expectPlace();
    assertEquals(Set.of("n1:1"), again.excluded());
    TestProbe<Executor.Command> exec2 = executor();
    again.replyTo().tell(new Balancer.Placed(job.id, "n2:1", path(exec2.ref()),
        placedOn(job.id, "n2:1")));
    Executor.Start second = exec2.expectMessageClass(Executor.Start.class);
    assertEquals(2, second.epoch());
    assertEquals(1, second.firstSeq());

    // epoch 1 is fenced: its end and its output are ignored, before and after epoch 2 starts
    first.home().tell(new Executor.Finished(job.id, 1, Payload.NULL, 1, 1));
    assertEquals(JobState.PENDING, job.info().state());
    second.replyTo().tell(new Executor.Accepted(job.id, 2, "n2:1"));
    first.home().tell(batch(job, 1, 1, 3, exec1));
    first.home().tell(new Executor.Finished(job.id, 1, Payload.NULL, 1, 1));
    JobInfo afterStale = job.info();
    assertEquals(JobState.RUNNING, afterStale.state());
    assertEquals(0, afterStale.outputLines());
    assertEquals(2, afterStale.epoch());
    assertEquals("n2:1", afterStale.host());
    exec1.expectNoMessage(QUIET); // no ack for a fenced epoch

    // epoch 2 is applied
    second.home().tell(batch(job, 2, 1, 2, exec2));
    assertEquals(new Executor.OutputAck(job.id, 2, 2), exec2.receiveMessage());
    second.home().tell(new Executor.Finished(job.id, 2, unit, 10, 3));
    JobInfo done = job.info();
    assertEquals(JobState.SUCCEEDED, done.state());
    assertEquals(2, done.outputLines());
  }

  @Test
  void aNodeBusierThanBelievedIsScoredAgainWithItsTrueLoadNotExcluded() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Balancer.Place place = job.expectPlace();
    assertEquals(Map.of(), place.observed());
    place.replyTo().tell(new Balancer.Placed(job.id, "n1:1", path(exec.ref()), 1,
        placedOn(job.id, "n1:1")));
    Executor.Start first = exec.expectMessageClass(Executor.Start.class);
    assertEquals(1, first.believedRunQueue(), "the node is told what its home believed");
    first.replyTo().tell(new Executor.Refused(job.id, 1, "n1:1", "runs 3 units", 3));

    Balancer.Place again = job.expectPlace();
    assertEquals(Set.of(), again.excluded(), "it may still be the best with the truth");
    assertEquals(Map.of("n1:1", 3), again.observed());
    // refused for being busier on every try but the last: the last is not checked
    Balancer.Place p = again;
    for (int tries = 2; tries <= Admission.PLACEMENT_TRIES; tries++) {
      p.replyTo().tell(new Balancer.Placed(job.id, "n1:1", path(exec.ref()), 3,
          placedOn(job.id, "n1:1")));
      Executor.Start s = exec.expectMessageClass(Executor.Start.class);
      if (tries == Admission.PLACEMENT_TRIES) {
        assertEquals(Executor.NO_BELIEF, s.believedRunQueue());
        s.replyTo().tell(new Executor.Accepted(job.id, s.epoch(), "n1:1"));
        break;
      }
      assertEquals(3, s.believedRunQueue());
      s.replyTo().tell(new Executor.Refused(job.id, s.epoch(), "n1:1", "runs 4 units", 4));
      p = job.expectPlace();
      assertEquals(Map.of("n1:1", 4), p.observed());
    }
    job.expectUpdated(JobState.RUNNING);
  }

  @Test
  void startTimeoutCancelsTheAttemptAndPlacesElsewhere() {
    Job job = new Job();
    TestProbe<Executor.Command> exec1 = executor();
    Executor.Start first = job.placeOn("n1:1", exec1);

    quietAfter(START_TIMEOUT.minusMillis(1), exec1, job.balancer);
    time.timePasses(Duration.ofMillis(1));
    assertEquals(new Executor.Cancel(job.id, 1), exec1.receiveMessage());
    Balancer.Place again = job.expectPlace();
    assertEquals(Set.of("n1:1"), again.excluded());

    TestProbe<Executor.Command> exec2 = executor();
    again.replyTo().tell(new Balancer.Placed(job.id, "n2:1", path(exec2.ref()),
        placedOn(job.id, "n2:1")));
    Executor.Start second = exec2.expectMessageClass(Executor.Start.class);
    assertEquals(2, second.epoch());

    // the slow node's late acceptance is for an attempt given up on
    first.replyTo().tell(new Executor.Accepted(job.id, 1, "n1:1"));
    JobInfo info = job.info();
    assertEquals(JobState.PENDING, info.state());
    assertEquals("n2:1", info.host());
    assertEquals(2, info.epoch());

    second.replyTo().tell(new Executor.Accepted(job.id, 2, "n2:1"));
    assertEquals(JobState.RUNNING, job.info().state());
    assertEquals("n2:1", job.info().host());
    quietAfter(START_TIMEOUT.multipliedBy(2), exec1, exec2, job.balancer);
  }

  @Test
  void unplaceableIsAskedAgainAfterTheRetryIntervalWithRefusalsForgotten() {
    Job job = new Job();
    TestProbe<Executor.Command> exec1 = executor();
    Executor.Start first = job.placeOn("n1:1", exec1);
    first.replyTo().tell(new Executor.Refused(job.id, 1, "n1:1", "full"));

    Balancer.Place second = job.expectPlace();
    assertEquals(Set.of("n1:1"), second.excluded());
    second.replyTo().tell(new Balancer.Unplaceable(job.id,
        new PlacementDecision(job.id.value(), Optional.empty(), "no node is fit", List.of())));
    assertEquals(JobState.PENDING, job.info().state()); // handled: the retry timer is set

    quietAfter(RETRY.minusMillis(1), job.balancer);
    time.timePasses(Duration.ofMillis(1));
    Balancer.Place third = job.expectPlace();
    assertEquals(Set.of(), third.excluded(), "a node that refused may have room by now");

    TestProbe<Executor.Command> exec = executor();
    third.replyTo().tell(new Balancer.Placed(job.id, "n1:1", path(exec.ref()),
        placedOn(job.id, "n1:1")));
    assertEquals(2, exec.expectMessageClass(Executor.Start.class).epoch());
  }

  // ---- output ---------------------------------------------------------------------------------

  @Test
  void outputIsAppliedOnceInOrderAndAcknowledged() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    TestProbe<HomeProxy.JobEvent> sub = job.subscribe();
    HomeProxy.Update hello = sub.expectMessageClass(HomeProxy.Update.class);
    assertEquals(JobState.RUNNING, hello.info().state());

    start.home().tell(batch(job, 1, 1, 3, exec));
    assertEquals(new Executor.OutputAck(job.id, 1, 3), exec.receiveMessage());
    assertEquals(new HomeProxy.Output(job.id, lines(1, 3)), sub.receiveMessage());

    // a resent batch: acknowledged again, recorded and delivered once
    start.home().tell(batch(job, 1, 1, 3, exec));
    assertEquals(new Executor.OutputAck(job.id, 1, 3), exec.receiveMessage());

    // overlapping batch: only the new line is new
    start.home().tell(batch(job, 1, 3, 4, exec));
    assertEquals(new Executor.OutputAck(job.id, 1, 4), exec.receiveMessage());
    assertEquals(new HomeProxy.Output(job.id, lines(4, 4)), sub.receiveMessage());

    start.home().tell(batch(job, 1, 5, 5, exec));
    assertEquals(new Executor.OutputAck(job.id, 1, 5), exec.receiveMessage());
    assertEquals(new HomeProxy.Output(job.id, lines(5, 5)), sub.receiveMessage());
    sub.expectNoMessage(QUIET);
    assertEquals(5, job.info().outputLines());
  }

  @Test
  void finishedDeliversTheResultAndLateSubscribersGetTheReplay() throws Exception {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    TestProbe<HomeProxy.JobEvent> sub = job.subscribe();
    sub.expectMessageClass(HomeProxy.Update.class);
    start.home().tell(batch(job, 1, 1, 3, exec));
    start.home().tell(batch(job, 1, 4, 5, exec));
    assertEquals(new HomeProxy.Output(job.id, lines(1, 3)), sub.receiveMessage());
    assertEquals(new HomeProxy.Output(job.id, lines(4, 5)), sub.receiveMessage());
    assertEquals(new Executor.OutputAck(job.id, 1, 3), exec.receiveMessage());
    assertEquals(new Executor.OutputAck(job.id, 1, 5), exec.receiveMessage());

    Payload result = new StateCodec().encode(5L);
    job.expectUpdated(JobState.RUNNING);
    start.home().tell(new Executor.Finished(job.id, 1, result, 12_345, 2));
    HomeProxy.Completed done = expectCompleted(sub, JobState.SUCCEEDED);
    assertEquals(result, done.result());
    assertEquals(5, done.info().outputLines());
    assertEquals("5", done.info().resultJson());
    assertEquals(12_345, done.info().cpuNanos());
    assertEquals(2, done.info().steps());
    assertEquals(1.0, done.info().progress());
    assertNull(done.info().error());
    assertEquals(done.info(), job.expectUpdated(JobState.SUCCEEDED).info());

    // Completed is the last event: nothing reaches subscribers after it
    start.home().tell(batch(job, 1, 6, 6, exec));
    start.home().tell(new Executor.Failed(job.id, 1, "late", "", 0, 0));
    sub.expectNoMessage(QUIET);
    assertEquals(JobState.SUCCEEDED, job.info().state());
    assertEquals(5, job.info().outputLines());

    TestProbe<HomeProxy.JobEvent> late = job.subscribe();
    assertEquals(new HomeProxy.Output(job.id, lines(1, 5)), late.receiveMessage());
    HomeProxy.Completed replayed = expectCompleted(late, JobState.SUCCEEDED);
    assertEquals(result, replayed.result());
    late.expectNoMessage(QUIET);

    // cancelling an ended job answers at once and changes nothing
    TestProbe<HomeProxy.InfoReply> waiter = job.cancel("too late");
    assertEquals(JobState.SUCCEEDED, waiter.receiveMessage().info().state());
    exec.expectNoMessage(QUIET);
  }

  @Test
  void keptLinesAreBoundedButAllLinesAreCounted() {
    Job job = new Job(new HomeSettings(START_TIMEOUT, RETRY, 2, 2, 10));
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    start.home().tell(batch(job, 1, 1, 5, exec));
    assertEquals(new Executor.OutputAck(job.id, 1, 5), exec.receiveMessage());

    TestProbe<HomeProxy.JobEvent> late = job.subscribe();
    assertEquals(new HomeProxy.Output(job.id, lines(4, 5)), late.receiveMessage());
    HomeProxy.Update u = late.expectMessageClass(HomeProxy.Update.class);
    assertEquals(5, u.info().outputLines());
  }

  @Test
  void aFinishedJobKeepsOnlyItsLastLinesForLateReaders() {
    Job job = new Job(new HomeSettings(START_TIMEOUT, RETRY, 5, 2, 10));
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    start.home().tell(batch(job, 1, 1, 5, exec));
    assertEquals(new Executor.OutputAck(job.id, 1, 5), exec.receiveMessage());
    start.home().tell(new Executor.Finished(job.id, 1, Payload.NULL, 1, 1));

    TestProbe<HomeProxy.JobEvent> late = job.subscribe();
    assertEquals(new HomeProxy.Output(job.id, lines(4, 5)), late.receiveMessage());
    assertEquals(5, expectCompleted(late, JobState.SUCCEEDED).info().outputLines());
  }

  @Test
  void aReplayIsCutIntoMessagesThatStayFarBelowTheFrame() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    String wide = "x".repeat(8_000); // as long as a line may be
    List<OutputLine> sent = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      sent.add(new OutputLine(i, OutputLine.Stream.OUT, wide + i));
    }
    for (int i = 0; i < 20; i += 5) { // batches as a host sends them, each under 64 KiB
      start.home().tell(new Executor.OutputBatch(job.id, 1, sent.subList(i, i + 5), exec.ref()));
      exec.expectMessageClass(Executor.OutputAck.class);
    }

    TestProbe<HomeProxy.JobEvent> late = job.subscribe();
    List<OutputLine> replayed = new ArrayList<>();
    while (replayed.size() < sent.size()) {
      HomeProxy.Output o = late.expectMessageClass(HomeProxy.Output.class);
      int chars = o.lines().stream().mapToInt(l -> l.text().length()).sum();
      assertTrue(chars <= Limits.BATCH_CHARS, "a replay message of " + chars + " characters");
      replayed.addAll(o.lines());
    }
    assertEquals(sent, replayed);
  }

  @Test
  void theRecordShowsAPreviewOfALargeResultAndTheStartOfALongError() throws Exception {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    TestProbe<HomeProxy.JobEvent> sub = job.subscribe();
    sub.expectMessageClass(HomeProxy.Update.class);
    Payload big = new StateCodec().encode("r".repeat(50_000));
    start.home().tell(new Executor.Finished(job.id, 1, big, 1, 1));
    HomeProxy.Completed c = expectCompleted(sub, JobState.SUCCEEDED);
    assertEquals(big, c.result(), "the result itself is whole");
    assertTrue(c.info().resultJson().startsWith("\"rrr"), c.info().resultJson());
    assertTrue(c.info().resultJson().length() < Limits.RESULT_PREVIEW_CHARS + 60);

    Job failing = new Job();
    Executor.Start s2 = failing.running("n1:1", exec);
    s2.home().tell(new Executor.Failed(failing.id, 1, "E: " + "e".repeat(10_000), "trace", 1, 1));
    JobInfo info = failing.info();
    assertEquals(JobState.FAILED, info.state());
    assertTrue(info.error().length() < Limits.ERROR_CHARS + 60, "error of " + info.error().length());
  }

  @Test
  void reportsUpdateProgressForSubscribersAndTheManager() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    job.expectUpdated(JobState.RUNNING);
    TestProbe<HomeProxy.JobEvent> sub = job.subscribe();
    sub.expectMessageClass(HomeProxy.Update.class);

    start.home().tell(new Executor.Report(job.id, 1, 0.25, 7_000, 9));
    JobInfo seen = sub.expectMessageClass(HomeProxy.Update.class).info();
    assertEquals(0.25, seen.progress());
    assertEquals(7_000, seen.cpuNanos());
    assertEquals(9, seen.steps());
    assertEquals(seen, job.expectUpdated(JobState.RUNNING).info());
  }

  // ---- cancel -------------------------------------------------------------------------------

  @Test
  void cancelWhileWaitingForANodeEndsAtOnce() {
    Job job = new Job();
    Balancer.Place place = job.expectPlace();
    place.replyTo().tell(new Balancer.Unplaceable(job.id,
        new PlacementDecision(job.id.value(), Optional.empty(), "no node is fit", List.of())));
    TestProbe<HomeProxy.JobEvent> sub = job.subscribe();
    assertEquals(JobState.PENDING, sub.expectMessageClass(HomeProxy.Update.class).info().state());

    TestProbe<HomeProxy.InfoReply> waiter = job.cancel("no longer needed");
    JobInfo info = waiter.receiveMessage().info();
    assertEquals(JobState.CANCELLED, info.state());
    assertEquals("no longer needed", info.error());
    HomeProxy.Completed done = expectCompleted(sub, JobState.CANCELLED);
    assertNull(done.result());
    job.expectUpdated(JobState.CANCELLED);

    // the retry is off, and a placement arriving now starts nothing
    quietAfter(RETRY.multipliedBy(3), job.balancer);
    TestProbe<Executor.Command> exec = executor();
    place.replyTo().tell(new Balancer.Placed(job.id, "n1:1", path(exec.ref()),
        placedOn(job.id, "n1:1")));
    exec.expectNoMessage(QUIET);
    assertEquals(JobState.CANCELLED, job.info().state());
  }

  @Test
  void cancelWhileRunningStopsTheUnitOnItsHost() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    TestProbe<HomeProxy.JobEvent> sub = job.subscribe();
    sub.expectMessageClass(HomeProxy.Update.class);

    TestProbe<HomeProxy.InfoReply> waiter = job.cancel(" ");
    assertEquals(new Executor.Cancel(job.id, 1), exec.receiveMessage());
    waiter.expectNoMessage(QUIET); // the reply comes once the unit has stopped
    TestProbe<HomeProxy.InfoReply> second = job.cancel("again");
    exec.expectNoMessage(QUIET); // asked once

    start.home().tell(new Executor.Cancelled(job.id, 1, 3_000, 4));
    JobInfo info = waiter.receiveMessage().info();
    assertEquals(JobState.CANCELLED, info.state());
    assertEquals("cancelled by request", info.error());
    assertEquals(3_000, info.cpuNanos());
    assertEquals(4, info.steps());
    assertEquals(JobState.CANCELLED, second.receiveMessage().info().state());
    expectCompleted(sub, JobState.CANCELLED);
  }

  @Test
  void cancelWhileTheStartIsUnansweredStopsIfRefused() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.placeOn("n1:1", exec);

    TestProbe<HomeProxy.InfoReply> waiter = job.cancel("stop");
    assertEquals(new Executor.Cancel(job.id, 1), exec.receiveMessage());
    waiter.expectNoMessage(QUIET);
    start.replyTo().tell(new Executor.Refused(job.id, 1, "n1:1", "full"));
    JobInfo info = waiter.receiveMessage().info();
    assertEquals(JobState.CANCELLED, info.state());
    assertEquals("stop", info.error());
    quietAfter(START_TIMEOUT.plus(RETRY), job.balancer, exec); // not placed again
  }

  @Test
  void cancelWhileTheStartIsUnansweredStopsTheUnitIfAccepted() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.placeOn("n1:1", exec);

    TestProbe<HomeProxy.InfoReply> waiter = job.cancel("stop");
    assertEquals(new Executor.Cancel(job.id, 1), exec.receiveMessage());
    start.replyTo().tell(new Executor.Accepted(job.id, 1, "n1:1"));
    start.home().tell(new Executor.Cancelled(job.id, 1, 0, 0));
    assertEquals(JobState.CANCELLED, waiter.receiveMessage().info().state());
  }

  @Test
  void cancelWhileTheStartTimesOutEndsTheJob() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    job.placeOn("n1:1", exec);
    TestProbe<HomeProxy.InfoReply> waiter = job.cancel("stop");
    assertEquals(new Executor.Cancel(job.id, 1), exec.receiveMessage());

    time.timePasses(START_TIMEOUT);
    assertEquals(JobState.CANCELLED, waiter.receiveMessage().info().state());
    job.balancer.expectNoMessage(QUIET); // not placed again
  }

  // ---- failure ------------------------------------------------------------------------------

  @Test
  void failedUnitFailsTheJobWithItsError() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.running("n1:1", exec);
    TestProbe<HomeProxy.JobEvent> sub = job.subscribe();
    sub.expectMessageClass(HomeProxy.Update.class);
    job.expectUpdated(JobState.RUNNING);

    String error = "java.lang.IllegalStateException: disk on fire";
    start.home().tell(new Executor.Failed(job.id, 1, error, "at Unit.step(Unit.java:1)", 55, 6));
    HomeProxy.Completed c = expectCompleted(sub, JobState.FAILED);
    assertEquals(error, c.info().error());
    assertNull(c.result());
    assertNull(c.info().resultJson());
    assertEquals(55, c.info().cpuNanos());
    assertEquals(6, c.info().steps());
    assertEquals(error, job.expectUpdated(JobState.FAILED).info().error());
    assertEquals(error, job.info().error());
  }

  /** A host that passes what it gets to {@code sees}, and can be stopped as a node dies. */
  static ActorRef<Executor.Command> relayTo(TestProbe<Executor.Command> sees) {
    return testKit.spawn(Behaviors.<Executor.Command>receiveMessage(m -> {
      sees.ref().tell(m);
      return Behaviors.same();
    }));
  }

  @Test
  void aHostThatDiesWhileRunningRestartsTheJobFromItsCheckpointElsewhere() throws Exception {
    Job job = new Job();
    TestProbe<Executor.Command> sees = executor();
    ActorRef<Executor.Command> host = relayTo(sees);
    Executor.Start start = job.placeOn("n1:1", host, sees);
    start.replyTo().tell(new Executor.Accepted(job.id, 1, "n1:1"));
    // three lines, then a checkpoint after the second line and no file write; then a fourth
    start.home().tell(batch(job, 1, 1, 2, sees));
    Payload state = new StateCodec().encode(new PrintLines(5));
    start.home().tell(new Executor.Checkpoint(job.id, 1, state, 3, 1, -1, 5_000, 7));
    // a checkpoint ahead of what home has is not kept: it follows lines home never got
    start.home().tell(new Executor.Checkpoint(job.id, 1, state, 9, 1, -1, 9_000, 9));
    start.home().tell(batch(job, 1, 3, 4, sees));
    assertEquals(4, job.info().outputLines());

    testKit.stop(host);
    Balancer.Place again = job.expectPlace();
    assertTrue(again.excluded().contains("n1:1"), "not back to the node that died");
    assertEquals(JobState.PENDING, job.info().state());
    TestProbe<Executor.Command> exec2 = executor();
    again.replyTo().tell(new Balancer.Placed(job.id, "n2:1", path(exec2.ref()),
        placedOn(job.id, "n2:1")));
    Executor.Start restart = exec2.expectMessageClass(Executor.Start.class);
    assertEquals(2, restart.epoch());
    assertEquals(state, restart.unit(), "from its checkpoint, not its start");
    assertEquals(3, restart.firstSeq(), "numbered on from the checkpoint");
    assertEquals(1, restart.firstFileSeq());
    assertEquals(5_000, restart.cpuNanosSoFar());
    assertEquals(7, restart.stepsSoFar());
    restart.replyTo().tell(new Executor.Accepted(job.id, 2, "n2:1"));
    // lines 3 and 4 again: dropped as repeats; then line 5 is new
    restart.home().tell(batch(job, 2, 3, 5, exec2));
    JobInfo info = job.info();
    assertEquals(JobState.RUNNING, info.state());
    assertEquals(5, info.outputLines());
    assertEquals("n2:1", info.host());
  }

  Executor.Lines ask(Executor.Start start, long epoch, long from, TestProbe<Executor.Lines> p) {
    start.home().tell(new Executor.LineRequest(start.jobId(), epoch, from, 10, p.ref()));
    return p.expectMessageClass(Executor.Lines.class);
  }

  @Test
  void inputAHostHadReadBeforeItsCheckpointIsNotReadAgainAfterARestartAndTheRestIs()
      throws Exception {
    Job job = new Job();
    TestProbe<Executor.Command> sees = executor();
    ActorRef<Executor.Command> host = relayTo(sees);
    Executor.Start start = job.placeOn("n1:1", host, sees);
    start.replyTo().tell(new Executor.Accepted(job.id, 1, "n1:1"));
    TestProbe<Executor.Lines> lines = testKit.createTestProbe();

    // a host asks before there is input: home holds the request until a line comes
    start.home().tell(new Executor.LineRequest(job.id, 1, -1, 10, lines.ref()));
    lines.expectNoMessage(QUIET);
    TestProbe<HomeProxy.InputAck> acks = testKit.createTestProbe();
    job.proxy.tell(new HomeProxy.SendInput(List.of("a", "b", "c"), false, acks.ref()));
    assertNull(acks.expectMessageClass(HomeProxy.InputAck.class).error());
    Executor.Lines first = lines.expectMessageClass(Executor.Lines.class);
    assertEquals(new Executor.Lines(0, List.of("a", "b", "c"), false), first);
    // a host of another epoch gets nothing
    assertEquals(List.of(), ask(start, 7, 0, lines).lines());

    // the unit read two lines before its checkpoint; then its host dies
    Payload state = new StateCodec().encode(new PrintLines(5));
    start.home().tell(new Executor.Checkpoint(job.id, 1, state, 1, 1, 2, 5_000, 7));
    job.proxy.tell(new HomeProxy.SendInput(List.of("d"), true, acks.ref()));
    assertNull(acks.expectMessageClass(HomeProxy.InputAck.class).error());
    testKit.stop(host);
    Balancer.Place again = job.expectPlace();
    TestProbe<Executor.Command> exec2 = executor();
    again.replyTo().tell(new Balancer.Placed(job.id, "n2:1", path(exec2.ref()),
        placedOn(job.id, "n2:1")));
    Executor.Start restart = exec2.expectMessageClass(Executor.Start.class);
    restart.replyTo().tell(new Executor.Accepted(job.id, 2, "n2:1"));
    assertEquals(new Executor.Lines(2, List.of("c", "d"), true), ask(restart, 2, -1, lines),
        "from where the checkpoint left off, to the end");
    // lines before the checkpoint are gone from home: asking for them gets the earliest kept
    assertEquals(2, ask(restart, 2, 0, lines).from());

    job.proxy.tell(new HomeProxy.SendInput(List.of("e"), false, acks.ref()));
    assertTrue(acks.expectMessageClass(HomeProxy.InputAck.class).error().contains("is closed"));
  }

  @Test
  void aStateNoNodeCanRunFailsTheJobWithTheReasonInsteadOfBeingPlacedAgain() {
    Job job = new Job();
    TestProbe<Executor.Command> exec = executor();
    Executor.Start start = job.placeOn("n1:1", exec);
    start.replyTo().tell(Executor.Refused.stateRejected(job.id, 1, "n1:1",
        "cannot decode x.Unit: bad CBOR"));
    HomeProxy.Completed c = expectCompleted(job.subscribe(), JobState.FAILED);
    assertTrue(c.info().error().contains("bad CBOR"), c.info().error());
    job.balancer.expectNoMessage(QUIET);
  }

  @Test
  void aHostThatDiesWithoutACheckpointRestartsTheJobFromItsStart() {
    Job job = new Job();
    TestProbe<Executor.Command> sees = executor();
    ActorRef<Executor.Command> host = relayTo(sees);
    Executor.Start start = job.placeOn("n1:1", host, sees);
    start.replyTo().tell(new Executor.Accepted(job.id, 1, "n1:1"));
    start.home().tell(batch(job, 1, 1, 2, sees));
    testKit.stop(host);
    Balancer.Place again = job.expectPlace();
    TestProbe<Executor.Command> exec2 = executor();
    again.replyTo().tell(new Balancer.Placed(job.id, "n2:1", path(exec2.ref()),
        placedOn(job.id, "n2:1")));
    Executor.Start restart = exec2.expectMessageClass(Executor.Start.class);
    assertEquals(unit, restart.unit());
    assertEquals(1, restart.firstSeq());
    assertEquals(0, restart.stepsSoFar());
  }

  // ---- fencing between attempts ------------------------------------------------------------

  /**
   * After a start timeout home gives up on epoch 1 but raises no epoch until the balancer places
   * the job again. Meanwhile the slow node, which did start the unit late, writes output and
   * then obeys home's Cancel: none of it may count, and the job stays PENDING.
   */
  @Test
  void eventsOfATimedOutAttemptAreFencedWhileWaitingForTheNextPlacement() {
    Job job = new Job();
    TestProbe<Executor.Command> exec1 = executor();
    Executor.Start first = job.placeOn("n1:1", exec1);
    time.timePasses(START_TIMEOUT);
    assertEquals(new Executor.Cancel(job.id, 1), exec1.receiveMessage());
    job.expectPlace(); // not answered yet: the balancer is slow, or answers Unplaceable

    first.home().tell(batch(job, 1, 1, 2, exec1));
    first.home().tell(new Executor.Cancelled(job.id, 1, 0, 1));
    JobInfo info = job.info();
    assertEquals(JobState.PENDING, info.state(), info.toString());
    assertEquals(0, info.outputLines(), info.toString());
  }
}
