package io.drift.home;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobState;
import io.drift.api.units.PrintLines;
import io.drift.balancer.Balancer;
import io.drift.balancer.policy.PlacementDecision;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.Executor;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HomeManagerTest {

  static final String HOME = "home:25520";
  /** Long enough that no start times out while a test answers it. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  static ActorTestKit testKit;
  static Payload unit;
  static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startSystem() throws Exception {
    testKit = ActorTestKit.create();
    unit = new StateCodec().encode(new PrintLines(3));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  /** A manager under test with its balancer probe. */
  static final class Home {
    final TestProbe<Balancer.Command> balancer = testKit.createTestProbe(Balancer.Command.class);
    final ActorRef<HomeManager.Command> manager;

    Home(int retainFinished) {
      HomeSettings settings =
          new HomeSettings(START_TIMEOUT, Duration.ofSeconds(30), 1000, 1000, retainFinished);
      manager = testKit.spawn(HomeManager.create(settings, balancer.ref(), HOME));
    }

    HomeManager.Created create(String name) {
      JobId id = JobId.of("m-" + ids.incrementAndGet());
      TestProbe<HomeManager.Created> p = testKit.createTestProbe(HomeManager.Created.class);
      manager.tell(new HomeManager.Create(
          new HomeProxy.Spec(id, name, PrintLines.class.getName(), 0, true, unit), p.ref()));
      HomeManager.Created c = p.receiveMessage();
      assertEquals(id, c.jobId());
      return c;
    }

    /** Answers the job's placement and start; returns where its host events go. */
    ActorRef<Executor.HostEvent> run(HomeManager.Created job) {
      Balancer.Place place = balancer.expectMessageClass(Balancer.Place.class);
      assertEquals(job.jobId(), place.jobId());
      TestProbe<Executor.Command> exec = testKit.createTestProbe(Executor.Command.class);
      place.replyTo().tell(new Balancer.Placed(job.jobId(), "n1:1",
          ActorRefResolver.get(testKit.system()).toSerializationFormat(exec.ref()),
          new PlacementDecision(job.jobId().value(), Optional.of("n1:1"), "test", List.of())));
      Executor.Start start = exec.expectMessageClass(Executor.Start.class);
      start.replyTo().tell(new Executor.Accepted(job.jobId(), start.epoch(), "n1:1"));
      return start.home();
    }

    /** Runs the job to success and waits until its home has recorded the end. */
    void runToSuccess(HomeManager.Created job) {
      ActorRef<Executor.HostEvent> home = run(job);
      TestProbe<HomeProxy.JobEvent> sub = testKit.createTestProbe(HomeProxy.JobEvent.class);
      job.home().tell(new HomeProxy.Subscribe(sub.ref()));
      home.tell(new Executor.Finished(job.jobId(), 1, Payload.NULL, 1, 1));
      sub.expectMessageClass(HomeProxy.Update.class);
      assertEquals(JobState.SUCCEEDED,
          sub.expectMessageClass(HomeProxy.Completed.class).info().state());
    }

    HomeManager.JobList list() {
      TestProbe<HomeManager.JobList> p = testKit.createTestProbe(HomeManager.JobList.class);
      manager.tell(new HomeManager.ListJobs(0, Integer.MAX_VALUE, p.ref()));
      return p.receiveMessage();
    }

    List<JobId> listedIds() {
      return list().jobs().stream().map(JobInfo::id).toList();
    }

    HomeManager.JobLookup get(JobId id) {
      TestProbe<HomeManager.JobLookup> p = testKit.createTestProbe(HomeManager.JobLookup.class);
      manager.tell(new HomeManager.GetJob(id, p.ref()));
      return p.receiveMessage();
    }
  }

  @Test
  void aSubscriberGivenAtCreationHearsTheJobFromItsFirstEventToItsEnd() {
    Home home = new Home(10);
    JobId id = JobId.of("given-" + ids.incrementAndGet());
    TestProbe<HomeProxy.JobEvent> sub = testKit.createTestProbe(HomeProxy.JobEvent.class);
    TestProbe<HomeManager.Created> created = testKit.createTestProbe(HomeManager.Created.class);
    HomeProxy.Spec spec = new HomeProxy.Spec(id, "given", PrintLines.class.getName(), 0, true,
        unit);
    home.manager.tell(new HomeManager.Create(spec, -1, created.ref(), sub.ref(), true));
    HomeManager.Created job = created.receiveMessage();
    assertEquals(id, job.jobId()); // the id given is kept
    ActorRef<Executor.HostEvent> events = home.run(job);
    // no Subscribe was sent: the first event is the start, the last the end
    assertEquals(JobState.RUNNING, sub.expectMessageClass(HomeProxy.Update.class).info().state());
    events.tell(new Executor.Finished(id, 1, Payload.NULL, 1, 1));
    HomeProxy.JobEvent last = sub.receiveMessage();
    while (last instanceof HomeProxy.Update) { // progress, if any, before the end
      last = sub.receiveMessage();
    }
    HomeProxy.Completed done = assertInstanceOf(HomeProxy.Completed.class, last);
    assertEquals(JobState.SUCCEEDED, done.info().state());

    // the same id given again is refused, not renamed: its submitter follows it by that id
    home.manager.tell(new HomeManager.Create(spec, -1, created.ref(), sub.ref(), true));
    HomeManager.Created clash = created.receiveMessage();
    assertNull(clash.home());
    assertNotNull(clash.refused());
    assertEquals(id, clash.jobId());
    // a home-chosen id that clashes is renamed, as before
    home.manager.tell(new HomeManager.Create(spec, created.ref()));
    HomeManager.Created renamed = created.receiveMessage();
    assertNull(renamed.refused());
    org.junit.jupiter.api.Assertions.assertNotEquals(id, renamed.jobId());
  }

  @Test
  void whenAHostsExecutorStopsEveryJobItRanIsPlacedAgainAndOneThatEndedIsNot() {
    Home home = new Home(10);
    TestProbe<Executor.Command> exec = testKit.createTestProbe(Executor.Command.class);
    String execPath = ActorRefResolver.get(testKit.system()).toSerializationFormat(exec.ref());
    List<HomeManager.Created> jobs = new java.util.ArrayList<>();
    List<ActorRef<Executor.HostEvent>> events = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      HomeManager.Created job = home.create("on-n1-" + i);
      Balancer.Place place = home.balancer.expectMessageClass(Balancer.Place.class);
      place.replyTo().tell(new Balancer.Placed(job.jobId(), "n1:1", execPath,
          new PlacementDecision(job.jobId().value(), Optional.of("n1:1"), "test", List.of())));
      Executor.Start start = exec.expectMessageClass(Executor.Start.class);
      start.replyTo().tell(new Executor.Accepted(job.jobId(), start.epoch(), "n1:1"));
      jobs.add(job);
      events.add(start.home());
    }
    // the third ends before the host goes: it must not be placed again
    events.get(2).tell(new Executor.Finished(jobs.get(2).jobId(), 1, Payload.NULL, 1, 1));
    TestProbe<HomeProxy.InfoReply> info = testKit.createTestProbe(HomeProxy.InfoReply.class);
    info.awaitAssert(() -> {
      jobs.get(2).home().tell(new HomeProxy.GetInfo(info.ref()));
      assertEquals(JobState.SUCCEEDED, info.receiveMessage().info().state());
      return null;
    });
    exec.stop();
    // the two running ones start again elsewhere: each asks for a place anew
    java.util.Set<JobId> placedAgain = new java.util.HashSet<>();
    placedAgain.add(home.balancer.expectMessageClass(Balancer.Place.class).jobId());
    placedAgain.add(home.balancer.expectMessageClass(Balancer.Place.class).jobId());
    assertEquals(java.util.Set.of(jobs.get(0).jobId(), jobs.get(1).jobId()), placedAgain);
    home.balancer.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void createRecordsTheJobAndStartsItsProxy() {
    Home home = new Home(10);
    HomeManager.Created c = home.create("first");
    assertEquals(HOME, c.homeNode());
    assertNotNull(c.home());

    // the proxy exists and asks for a place at once
    assertEquals(c.jobId(), home.balancer.expectMessageClass(Balancer.Place.class).jobId());
    TestProbe<HomeProxy.InfoReply> p = testKit.createTestProbe(HomeProxy.InfoReply.class);
    c.home().tell(new HomeProxy.GetInfo(p.ref()));
    assertEquals(c.jobId(), p.receiveMessage().info().id());

    HomeManager.JobLookup found = home.get(c.jobId());
    assertEquals(c.home(), found.home());
    assertEquals(JobState.PENDING, found.info().state());
    assertEquals("first", found.info().name());
    assertEquals(HOME, found.info().home());
    assertEquals(PrintLines.class.getName(), found.info().unitClass());
  }

  @Test
  void listsJobsInSubmissionOrder() {
    Home home = new Home(10);
    List<JobId> created = List.of(home.create("a").jobId(), home.create("b").jobId(),
        home.create("c").jobId());
    HomeManager.JobList list = home.list();
    assertEquals(HOME, list.homeNode());
    assertEquals(created, list.jobs().stream().map(JobInfo::id).toList());
    assertEquals(List.of("a", "b", "c"), list.jobs().stream().map(JobInfo::name).toList());
  }

  @Test
  void unknownJobHasNoRecordAndNoHome() {
    Home home = new Home(10);
    home.create("known");
    HomeManager.JobLookup l = home.get(JobId.of("no-such-job"));
    assertEquals(JobId.of("no-such-job"), l.jobId());
    assertNull(l.info());
    assertNull(l.home());
  }

  @Test
  void recordFollowsTheProxy() {
    Home home = new Home(10);
    HomeManager.Created c = home.create("runs");
    home.run(c);
    home.balancer.awaitAssert(Duration.ofSeconds(3), () -> {
      JobInfo info = home.get(c.jobId()).info();
      assertEquals(JobState.RUNNING, info.state());
      assertEquals("n1:1", info.host());
      return null;
    });
  }

  @Test
  void forgetsTheOldestFinishedJobsPastTheLimit() {
    Home home = new Home(1);
    HomeManager.Created older = home.create("older");
    home.runToSuccess(older);
    HomeManager.Created running = home.create("running");
    home.run(running);
    HomeManager.Created newer = home.create("newer");
    home.balancer.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(JobState.SUCCEEDED, home.get(older.jobId()).info().state());
      return null;
    });

    home.runToSuccess(newer);
    home.balancer.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(List.of(running.jobId(), newer.jobId()), home.listedIds());
      return null;
    });
    HomeManager.JobLookup gone = home.get(older.jobId());
    assertNull(gone.info());
    assertNull(gone.home());
    home.balancer.expectTerminated(older.home(), Duration.ofSeconds(3)); // its proxy is stopped
    assertEquals(JobState.SUCCEEDED, home.get(newer.jobId()).info().state());
    assertEquals(JobState.RUNNING, home.get(running.jobId()).info().state());
  }

  @Test
  void listsInPages() {
    Home home = new Home(10);
    List<JobId> ids = List.of(home.create("p0").jobId(), home.create("p1").jobId(),
        home.create("p2").jobId());
    TestProbe<HomeManager.JobList> p = testKit.createTestProbe(HomeManager.JobList.class);
    home.manager.tell(new HomeManager.ListJobs(1, 1, p.ref()));
    HomeManager.JobList page = p.receiveMessage();
    assertEquals(3, page.total());
    assertEquals(1, page.from());
    assertEquals(List.of(ids.get(1)), page.jobs().stream().map(JobInfo::id).toList());
    home.manager.tell(new HomeManager.ListJobs(3, 50, p.ref()));
    assertEquals(List.of(), p.receiveMessage().jobs());
  }

  @Test
  void forgetsByFinishingOrderNotSubmissionOrder() {
    Home home = new Home(1);
    HomeManager.Created longJob = home.create("submitted-first");
    ActorRef<Executor.HostEvent> longHost = home.run(longJob);
    HomeManager.Created shortJob = home.create("submitted-second");
    home.runToSuccess(shortJob);
    home.balancer.awaitAssert(Duration.ofSeconds(3), () -> { // the manager knows it ended
      assertEquals(JobState.SUCCEEDED, home.get(shortJob.jobId()).info().state());
      return null;
    });

    // the long job finishes last: it is the newest finished job, so it is the one kept
    longHost.tell(new Executor.Finished(longJob.jobId(), 1, Payload.NULL, 1, 1));
    home.balancer.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(List.of(longJob.jobId()), home.listedIds());
      return null;
    });
    assertEquals(JobState.SUCCEEDED, home.get(longJob.jobId()).info().state());
    home.balancer.expectTerminated(shortJob.home(), Duration.ofSeconds(3));
  }

  @Test
  void retainingNoFinishedJobForgetsEachAtItsEnd() {
    Home home = new Home(0);
    HomeManager.Created job = home.create("gone-at-end");
    home.runToSuccess(job);
    home.balancer.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(List.of(), home.listedIds());
      return null;
    });
    home.balancer.expectTerminated(job.home(), Duration.ofSeconds(3));
  }
}
