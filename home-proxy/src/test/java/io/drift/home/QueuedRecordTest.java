package io.drift.home;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.api.JobState;
import io.drift.api.units.PrintLines;
import io.drift.balancer.Balancer;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job in the batch queue is a record at its home's manager, not an actor (decision 0028):
 * it gets its proxy when it is admitted, or earlier when a client needs one, and its record on
 * disk says what it is at each step.
 */
class QueuedRecordTest {

  static ActorTestKit testKit;
  static Payload unit;

  @TempDir
  Path dir;

  @BeforeAll
  static void startSystem() throws Exception {
    testKit = ActorTestKit.create();
    unit = new StateCodec().encode(new PrintLines(3));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  /** A manager with its job records in {@code dir} and a balancer probe. */
  final class Home {
    final TestProbe<Balancer.Command> balancer = testKit.createTestProbe(Balancer.Command.class);
    final JobStore store;
    final ActorRef<HomeManager.Command> manager;

    Home() {
      this(dir.resolve("jobs"));
    }

    Home(Path jobs) {
      store = new JobStore(jobs);
      // the queue looks for room every 100 ms; the balancer probe answers when a test says
      HomeSettings settings = new HomeSettings(Duration.ofSeconds(30), Duration.ofSeconds(30),
          1000, 1000, 100, dir.resolve("ws"), 1L << 20, 1000, Duration.ofMillis(100));
      manager = testKit.spawn(HomeManager.create(settings, balancer.ref(), "home:1", null, null,
          store));
    }

    HomeManager.Created create(String id, int priority, ActorRef<HomeProxy.JobEvent> sub) {
      TestProbe<HomeManager.Created> p = testKit.createTestProbe(HomeManager.Created.class);
      manager.tell(new HomeManager.Create(new HomeProxy.Spec(JobId.of(id), id,
          PrintLines.class.getName(), 0, true, unit), priority, p.ref(), sub, true));
      HomeManager.Created c = p.receiveMessage();
      assertNull(c.refused());
      return c;
    }

    HomeManager.JobLookup ask(JobId id, boolean home) {
      TestProbe<HomeManager.JobLookup> p = testKit.createTestProbe(HomeManager.JobLookup.class);
      manager.tell(home ? new HomeManager.GetHome(id, p.ref())
          : new HomeManager.GetJob(id, p.ref()));
      return p.receiveMessage();
    }

    List<JobId> queue() {
      TestProbe<HomeManager.Queue> p = testKit.createTestProbe(HomeManager.Queue.class);
      manager.tell(new HomeManager.GetQueue(p.ref()));
      return p.receiveMessage().jobs().stream().map(HomeManager.Queued::id).toList();
    }

    /**
     * Each job's queue priority in its record on disk (-1: admitted), read by {@link
     * JobStore#peek}: a load on the live store, while the manager writes, could free the slot
     * of a record being written, and the next save would take it (it lost a record this way
     * once).
     */
    Map<JobId, Integer> onDisk() throws Exception {
      Map<JobId, Integer> out = new HashMap<>();
      List<String> unreadable = new ArrayList<>();
      for (JobStore.Record r : JobStore.peek(store.dir(), unreadable)) {
        out.put(r.spec().id(), r.queue());
      }
      assertEquals(List.of(), unreadable);
      return out;
    }

    /** Answers the queue's next question for room with {@code free} slots. */
    void room(int free) {
      balancer.fishForMessage(Duration.ofSeconds(5), m -> {
        if (m instanceof Balancer.GetRoom g) {
          g.replyTo().tell(new Balancer.Room("home:1", free));
          return org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete();
        }
        return org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore();
      });
    }
  }

  /** Whether an actor lives at the path a queued job's proxy would have. */
  static boolean proxyExists(Home home, JobId id) throws Exception {
    try {
      testKit.system().classicSystem().actorSelection(
              home.manager.path().child("job-" + id.value()))
          .resolveOne(Duration.ofSeconds(1)).toCompletableFuture().get(3, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      return false; // ActorNotFound
    }
  }

  @Test
  void aQueuedJobIsARecordUntilAClientNeedsItsProxyThroughWhichItIsCancelled() throws Exception {
    Home home = new Home();
    TestProbe<HomeProxy.JobEvent> sub = testKit.createTestProbe(HomeProxy.JobEvent.class);
    JobId id = home.create("q-cancel", 2, sub.ref()).jobId();
    assertNull(home.ask(id, false).home(), "no actor for a job that only waits");
    assertEquals(JobState.QUEUED, home.ask(id, false).info().state());
    assertFalse(proxyExists(home, id));
    sub.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(Map.of(id, 2), home.onDisk(), "its record is written, with its priority");
      return null;
    });
    // a move is answered without making the proxy
    TestProbe<HomeProxy.MigrateAnswer> moved =
        testKit.createTestProbe(HomeProxy.MigrateAnswer.class);
    home.manager.tell(new HomeManager.MigrateJob(id, "home", moved.ref()));
    HomeProxy.MigrateAnswer no = moved.receiveMessage();
    assertTrue(!no.moved() && no.message().contains("QUEUED"), no.message());
    assertFalse(proxyExists(home, id));

    ActorRef<HomeProxy.Command> proxy = home.ask(id, true).home();
    assertNotNull(proxy);
    assertTrue(proxyExists(home, id));
    assertEquals(proxy, home.ask(id, false).home(), "one proxy, found again");
    assertEquals(List.of(id), home.queue(), "still queued");
    TestProbe<HomeProxy.InfoReply> cancelled = testKit.createTestProbe(HomeProxy.InfoReply.class);
    proxy.tell(new HomeProxy.Cancel("test", cancelled.ref()));
    assertEquals(JobState.CANCELLED, cancelled.receiveMessage().info().state());
    HomeProxy.JobEvent last = sub.receiveMessage();
    assertEquals(JobState.CANCELLED, ((HomeProxy.Completed) last).info().state(),
        "the subscriber given at submission hears the end");
    sub.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(List.of(), home.queue());
      assertEquals(JobState.CANCELLED, home.ask(id, false).info().state());
      assertEquals(Map.of(), home.onDisk(), "an ended job leaves no record to resume");
      return null;
    });
  }

  @Test
  void admissionMakesTheProxyInPriorityOrderAndTheRecordSaysItIsAdmitted() throws Exception {
    Home home = new Home();
    TestProbe<HomeProxy.JobEvent> sub = testKit.createTestProbe(HomeProxy.JobEvent.class);
    JobId late = home.create("q-late", 5, sub.ref()).jobId();
    JobId first = home.create("q-first", 1, sub.ref()).jobId();
    JobId moved = home.create("q-moved", 7, sub.ref()).jobId();
    TestProbe<HomeManager.QueueChanged> changed =
        testKit.createTestProbe(HomeManager.QueueChanged.class);
    home.manager.tell(new HomeManager.SetQueuePriority(moved, 0, changed.ref()));
    assertNull(changed.receiveMessage().problem());
    assertEquals(List.of(moved, first, late), home.queue());
    sub.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(Map.of(late, 5, first, 1, moved, 0), home.onDisk(),
          "the new priority is written");
      return null;
    });

    home.room(2); // two slots: the first two in the queue's order are admitted, as proxies
    Balancer.Place a = home.balancer.expectMessageClass(Balancer.Place.class);
    Balancer.Place b = home.balancer.expectMessageClass(Balancer.Place.class);
    assertEquals(java.util.Set.of(moved, first), java.util.Set.of(a.jobId(), b.jobId()));
    assertEquals(List.of(late), home.queue());
    assertTrue(proxyExists(home, moved) && proxyExists(home, first) && !proxyExists(home, late));
    assertEquals(JobState.PENDING, home.ask(first, false).info().state());
    sub.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(Map.of(late, 5, first, -1, moved, -1), home.onDisk(),
          "admitted jobs resume as placed jobs after a restart, not queued again");
      return null;
    });
  }

  @Test
  void aRestartedHomeKeepsItsQueuedJobsAsRecordsInTheirOrder() throws Exception {
    Home before = new Home();
    JobId b = before.create("q-b", 3, null).jobId();
    JobId a = before.create("q-a", 1, null).jobId();
    before.balancer.awaitAssert(Duration.ofSeconds(5), () -> {
      assertEquals(Map.of(a, 1, b, 3), before.onDisk());
      return null;
    });
    testKit.stop(before.manager);

    Home after = new Home(); // the same directory
    assertEquals(List.of(a, b), after.queue());
    assertEquals(JobState.QUEUED, after.ask(b, false).info().state());
    assertNull(after.ask(b, false).home());
    assertFalse(proxyExists(after, a) || proxyExists(after, b));
    after.room(1);
    assertEquals(a, after.balancer.expectMessageClass(Balancer.Place.class).jobId());
    assertEquals(List.of(b), after.queue());
  }

  @Test
  void aClientAskingForTheProxyWhileTheRecordIsBeingWrittenGetsItOnceWritten()
      throws Exception {
    Home home = new Home();
    // many submissions at once keep the writer busy: the last one's GetHome comes before its
    // record is written, and must still be answered with a proxy
    List<JobId> ids = new ArrayList<>();
    TestProbe<HomeManager.Created> created = testKit.createTestProbe(HomeManager.Created.class);
    for (int i = 0; i < 200; i++) {
      JobId id = JobId.of("q-burst-" + i);
      ids.add(id);
      home.manager.tell(new HomeManager.Create(new HomeProxy.Spec(id, "burst",
          PrintLines.class.getName(), 0, true, unit), 1, created.ref(), null, true));
    }
    TestProbe<HomeManager.JobLookup> found = testKit.createTestProbe(HomeManager.JobLookup.class);
    JobId last = ids.get(ids.size() - 1);
    home.manager.tell(new HomeManager.GetHome(last, found.ref()));
    HomeManager.JobLookup l = found.receiveMessage(Duration.ofSeconds(10));
    assertNotNull(l.home());
    assertEquals(JobState.QUEUED, l.info().state());
    assertEquals(1, home.onDisk().get(last), "its record was written before it was answered");
    assertEquals(200, home.queue().size());
  }

  @Test
  void aRecordThatCannotBeWrittenLeavesTheJobQueuedAndAdmittedAllTheSame() throws Exception {
    Path notADirectory = java.nio.file.Files.writeString(dir.resolve("a-file"), "x");
    Home home = new Home(notADirectory); // every write fails: its parent is a file
    JobId id = home.create("q-unwritten", 1, null).jobId();
    assertNotNull(home.ask(id, true).home(), "the client is answered once the write failed");
    home.room(1);
    assertEquals(id, home.balancer.expectMessageClass(Balancer.Place.class).jobId());
  }
}
