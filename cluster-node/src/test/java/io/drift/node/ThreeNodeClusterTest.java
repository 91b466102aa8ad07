package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.api.units.BurnCpu;
import io.drift.home.HomeManager;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three nodes in one JVM: work submitted at a node whose slot is taken runs on the other two,
 * and its output and results come home complete and in order.
 */
class ThreeNodeClusterTest {

  static final int JOBS = 4;
  static final int LINES = 700; // several output batches per job

  static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestClusters.startReady(List.of(1, 2, 2)); // A has one slot
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void unitsSubmittedAtAFullNodeRunElsewhereAndTheirOutputComesHomeInOrder() throws Exception {
    String a = cluster.node(0).selfNode();
    Set<String> others = Set.of(cluster.node(1).selfNode(), cluster.node(2).selfNode());
    try (DriftClient client = DriftClient.connect(a)) {
      // fill A's only slot with a unit that would run for a minute
      JobHandle<Long> blocker = client.submit(JobSpec.of(new BurnCpu(60_000)).withName("blocker"));
      ActorTestKit kit = ActorTestKit.create(cluster.node(0).system());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
        JobInfo info = blocker.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(JobState.RUNNING, info.state());
        assertEquals(a, info.host(), "an idle cluster places at home first");
        return null;
      });

      List<JobHandle<Long>> jobs = new ArrayList<>();
      List<List<OutputLine>> seen = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        // about a second each: still running while the others are placed
        JobHandle<Long> h = client.submit(JobSpec.of(new PacedLines(LINES, 1_500))
            .withName("lines-" + i));
        List<OutputLine> lines = new CopyOnWriteArrayList<>();
        h.onOutput(lines::add);
        jobs.add(h);
        seen.add(lines);
      }

      Set<String> hosts = new HashSet<>();
      for (int i = 0; i < JOBS; i++) {
        JobHandle<Long> h = jobs.get(i);
        assertEquals(LINES, h.result().toCompletableFuture().get(30, TimeUnit.SECONDS));
        JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, info.state());
        assertTrue(others.contains(info.host()), "ran on " + info.host() + ", not on B or C");
        assertEquals(a, info.home());
        hosts.add(info.host());

        // what the client received, in order, complete
        List<OutputLine> lines = seen.get(i);
        assertEquals(LINES, lines.size(), "lines received by the client");
        for (int k = 0; k < LINES; k++) {
          assertEquals(k + 1, lines.get(k).seq());
          assertEquals("line " + (k + 1) + " of " + LINES, lines.get(k).text());
        }
        // what A's HomeProxy recorded
        TestProbe<HomeManager.JobLookup> probe = kit.createTestProbe();
        cluster.node(0).refs().homes().tell(new HomeManager.GetJob(h.id(), probe.ref()));
        HomeManager.JobLookup lookup = probe.receiveMessage();
        assertEquals(LINES, lookup.info().outputLines());
        assertEquals("" + LINES, lookup.info().resultJson());
      }
      assertEquals(others, hosts, "both B and C took work");

      // the blocker is still running at A; cancelling it frees A's slot
      JobInfo cancelled = blocker.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(JobState.CANCELLED, cancelled.state());
      assertNotEquals(0L, cancelled.cpuNanos());
    }
  }
}
