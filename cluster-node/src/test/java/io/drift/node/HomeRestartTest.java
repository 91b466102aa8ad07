package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.home.JobStore;
import io.drift.node.client.DriftClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * A home node that stops and starts again resumes its jobs from their records on its disk; a
 * job whose checkpoint no longer decodes fails with the reason, and the others go on.
 */
class HomeRestartTest {

  @Test
  void aHomeThatRestartsResumesItsRunningJobFromItsCheckpointAndItEndsRight() throws Exception {
    try (LocalCluster cluster = TestClusters.startReady(List.of(1, 1),
        Map.of("drift.executor.checkpoint-interval", "300ms"))) {
      TestProbe<Object> probe = ActorTestKit.create(cluster.node(0).system()).createTestProbe();
      String home = cluster.node(1).selfNode();
      Path records = Path.of(cluster.node(1).system().settings().config()
          .getString("drift.home.jobs-dir")).resolve(home.replace(':', '_'));
      long steps = 6_000; // about 6 s of CPU
      MigrationTest.Unmoved expected = MigrationTest.unmoved(steps);
      JobId id;
      JobId spoiled;
      JobId large;
      MigrationTest.Unmoved expectedLarge =
          MigrationTest.unmoved(new SeededWalk(MigrationTest.SEED + 1, steps, 0, 1 << 20));
      try (DriftClient client = DriftClient.connect(home)) {
        JobHandle<Long> h = client.submit(JobSpec.of(
            new SeededWalk(MigrationTest.SEED, steps, MigrationTest.CPU_MICROS)));
        id = h.id();
        spoiled = client.submit(JobSpec.of(new SpoilsAfter(60_000, 100))).id();
        // a state of 1 MiB: too large for a message, its checkpoints take the side channel
        JobHandle<Long> big = client.submit(JobSpec.of(new SeededWalk(MigrationTest.SEED + 1,
            steps, MigrationTest.CPU_MICROS, 1 << 20)));
        large = big.id();
        // on the other node, so that its checkpoints cross to home
        String other = cluster.node(0).selfNode();
        if (!other.equals(TestClusters.runningHost(cluster, big))) {
          big.migrate(other).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        // their records on disk hold checkpoints well into their runs
        probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
          List<JobStore.Record> kept = JobStore.peek(records, new ArrayList<>());
          assertEquals(3, kept.size());
          for (JobStore.Record r : kept) {
            assertNotNull(r.checkpoint(), "a checkpoint of " + r.spec().unitClass());
            assertTrue(r.checkpoint().steps() > 500, "steps " + r.checkpoint());
          }
          assertTrue(kept.stream().anyMatch(r -> r.checkpoint().state().bytes().length > 1 << 20),
              "the large state was checkpointed");
          return null;
        });
        assertEquals(JobState.RUNNING,
            h.status().toCompletableFuture().get(5, TimeUnit.SECONDS).state());
      }

      cluster.restart(1, 1, Map.of());
      probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
        assertTrue(cluster.isReady());
        return null;
      });
      try (DriftClient client = DriftClient.connect(home)) {
        JobInfo done = probe.awaitAssert(Duration.ofSeconds(90), Duration.ofMillis(250), () -> {
          JobInfo info = client.job(id).toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertEquals(JobState.SUCCEEDED, info.state(), info.toString());
          return info;
        });
        assertEquals(String.valueOf(expected.result()), done.resultJson());
        assertEquals(expected.output().size(), done.outputLines(), "each line counted once");
        assertEquals(steps, done.steps(), "the steps of one whole run");
        JobInfo largeDone = probe.awaitAssert(Duration.ofSeconds(90), Duration.ofMillis(250),
            () -> {
              JobInfo info = client.job(large).toCompletableFuture().get(5, TimeUnit.SECONDS);
              assertEquals(JobState.SUCCEEDED, info.state(), info.toString());
              return info;
            });
        assertEquals(String.valueOf(expectedLarge.result()), largeDone.resultJson());
        assertEquals(expectedLarge.output().size(), largeDone.outputLines());
        JobInfo failed = probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(250), () -> {
          JobInfo info = client.job(spoiled).toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertEquals(JobState.FAILED, info.state(), info.toString());
          return info;
        });
        assertTrue(failed.error().contains("cannot be read back"), failed.error());
      }
      assertEquals(List.of(), JobStore.peek(records, new ArrayList<>()),
          "an ended job's record is gone");
    }
  }
}
