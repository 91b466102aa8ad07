package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.home.JobStore;
import io.drift.node.client.DriftClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * The batch queue (issue 8, point 4): queued jobs wait at home while the cluster has no free
 * slot, leave it one per free slot in priority order, can be reordered, and survive a restart
 * of their home node, after which they run and end right.
 */
class QueueTest {

  static final Duration ASK = Duration.ofSeconds(5);

  static HomeManager.Queue queue(LocalCluster c, int node) throws Exception {
    return AskPattern.<HomeManager.Command, HomeManager.Queue>ask(c.node(node).refs().homes(),
        HomeManager.GetQueue::new, ASK, c.node(node).system().scheduler())
        .toCompletableFuture().get(6, TimeUnit.SECONDS);
  }

  static List<JobId> order(LocalCluster c, int node) throws Exception {
    return queue(c, node).jobs().stream().map(HomeManager.Queued::id).toList();
  }

  static JobState state(DriftClient client, JobId id) throws Exception {
    return client.job(id).toCompletableFuture().get(5, TimeUnit.SECONDS).state();
  }

  @Test
  void theQueueAdmitsOnlyWhenThereIsRoomInPriorityOrderAndSurvivesARestartOfItsHome()
      throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1),
        Map.of("drift.home.queue-interval", "200ms"))) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      String home = c.node(1).selfNode();
      Path records = Path.of(c.node(1).system().settings().config()
          .getString("drift.home.jobs-dir")).resolve(home.replace(':', '_'));
      long steps = 100; // 2 s each
      Map<JobId, Long> seeds = new HashMap<>();
      JobId q5;
      JobId q1;
      JobId q3;
      JobHandle<Long> filler2;
      try (DriftClient client = DriftClient.connect(home)) {
        // two long walks fill the cluster's two slots
        JobHandle<Long> filler1 = client.submit(JobSpec.of(new PacedWalk(1, 3_000, 20)));
        filler2 = client.submit(JobSpec.of(new PacedWalk(2, 3_000, 20)));
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
          assertEquals(JobState.RUNNING, state(client, filler1.id()));
          assertEquals(JobState.RUNNING, state(client, filler2.id()));
          return null;
        });
        q5 = client.submit(JobSpec.of(new PacedWalk(50, steps, 20)).withQueue(5)).id();
        q1 = client.submit(JobSpec.of(new PacedWalk(10, steps, 20)).withQueue(1)).id();
        q3 = client.submit(JobSpec.of(new PacedWalk(30, steps, 20)).withQueue(3)).id();
        seeds.put(q5, 50L);
        seeds.put(q1, 10L);
        seeds.put(q3, 30L);
        // no room: they wait, through ten rounds of the queue
        for (int i = 0; i < 10; i++) {
          for (JobId q : List.of(q5, q1, q3)) {
            assertEquals(JobState.QUEUED, state(client, q), "no slot is free");
          }
          probe.expectNoMessage(Duration.ofMillis(200));
        }
        assertEquals(List.of(q1, q3, q5), order(c, 1), "lower priority first");
        assertEquals(1, queue(c, 1).jobs().get(0).position());
        // reordered: q5 goes first
        HomeManager.QueueChanged moved = AskPattern.<HomeManager.Command,
            HomeManager.QueueChanged>ask(c.node(1).refs().homes(),
                r -> new HomeManager.SetQueuePriority(q5, 0, r), ASK,
                c.node(1).system().scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
        assertNull(moved.problem());
        assertEquals(List.of(q5, q1, q3), order(c, 1));
        HomeManager.QueueChanged notQueued = AskPattern.<HomeManager.Command,
            HomeManager.QueueChanged>ask(c.node(1).refs().homes(),
                r -> new HomeManager.SetQueuePriority(filler1.id(), 0, r), ASK,
                c.node(1).system().scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
        assertTrue(notQueued.problem().contains("not in the queue"), notQueued.problem());

        // one slot frees: exactly the first in the queue is admitted
        filler1.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
        probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(50), () -> {
          assertNotEquals(JobState.QUEUED, state(client, q5));
          return null;
        });
        assertEquals(JobState.QUEUED, state(client, q1), "one slot, one job admitted");
        assertEquals(JobState.QUEUED, state(client, q3));
        // the queue is on disk with its priorities
        Map<JobId, Integer> kept = new HashMap<>();
        for (JobStore.Record r : JobStore.peek(records, new ArrayList<>())) {
          kept.put(r.spec().id(), r.queue());
        }
        assertEquals(1, kept.get(q1));
        assertEquals(3, kept.get(q3));
        assertEquals(-1, kept.get(filler2.id()), "an admitted job is no longer queued");
      }

      // the home restarts: what waited in its queue waits again, then runs, and ends right
      c.restart(1, 1, Map.of("drift.home.queue-interval", "200ms"));
      probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
        assertTrue(c.isReady());
        return null;
      });
      try (DriftClient client = DriftClient.connect(home)) {
        for (JobId q : List.of(q1, q3)) {
          JobInfo i = client.job(q).toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertTrue(i.state() == JobState.QUEUED || i.state() == JobState.PENDING
              || i.state() == JobState.RUNNING || i.state() == JobState.SUCCEEDED, i.toString());
        }
        HomeManager.JobLookup l = AskPattern.<HomeManager.Command, HomeManager.JobLookup>ask(
            c.node(1).refs().homes(), r -> new HomeManager.GetJob(filler2.id(), r), ASK,
            c.node(1).system().scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
        AskPattern.<HomeProxy.Command, HomeProxy.InfoReply>ask(l.home(),
            r -> new HomeProxy.Cancel("the test is done with it", r), ASK,
            c.node(1).system().scheduler()).toCompletableFuture().get(6, TimeUnit.SECONDS);
        for (JobId q : List.of(q5, q1, q3)) {
          JobInfo done = probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
            JobInfo i = client.job(q).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(JobState.SUCCEEDED, i.state(), i.toString());
            return i;
          });
          assertEquals(String.valueOf(PacedWalk.unmoved(seeds.get(q), steps).result()),
              done.resultJson());
        }
      }
      assertEquals(List.of(), order(c, 1));
    }
  }

  /**
   * A queued job has no actor at its home until a client needs one (decision 0028): its handle
   * still reads it, is told why it cannot move, feeds it input and cancels it.
   */
  @Test
  void aQueuedJobIsReadFedAndCancelledThroughItsHandle() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1),
        Map.of("drift.home.queue-interval", "200ms"))) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      try (DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
        JobHandle<Long> filler = client.submit(JobSpec.of(new PacedWalk(1, 3_000, 20)));
        probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
          assertEquals(JobState.RUNNING, state(client, filler.id()));
          return null;
        });
        JobHandle<Long> queued = client.submit(JobSpec.of(new PacedWalk(2, 100, 20))
            .withQueue(1));
        assertEquals(JobState.QUEUED,
            queued.status().toCompletableFuture().get(5, TimeUnit.SECONDS).state());
        java.util.concurrent.ExecutionException notMoved = org.junit.jupiter.api.Assertions
            .assertThrows(java.util.concurrent.ExecutionException.class, () -> queued
                .migrate("home").toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(notMoved.getCause() instanceof io.drift.api.MigrationRefusedException
            && notMoved.getCause().getMessage().contains("QUEUED"), notMoved.toString());
        queued.sendLines(List.of("a line for later")).toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
        assertEquals(JobState.QUEUED,
            queued.status().toCompletableFuture().get(5, TimeUnit.SECONDS).state(),
            "input does not admit it");
        assertEquals(List.of(queued.id()), order(c, 0));
        assertEquals(JobState.CANCELLED,
            queued.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS).state());
        java.util.concurrent.ExecutionException ended = org.junit.jupiter.api.Assertions
            .assertThrows(java.util.concurrent.ExecutionException.class,
                () -> queued.result().toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertTrue(ended.getCause() instanceof io.drift.api.JobCancelledException,
            ended.toString());
        // the proxy answers the cancel before it tells its manager, so the queue empties a
        // moment after (a full test run once saw the order asked in between)
        probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(50), () -> {
          assertEquals(List.of(), order(c, 0));
          return null;
        });
        filler.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
