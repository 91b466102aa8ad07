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

/** A home node that stops and starts again resumes its jobs from their records on its disk. */
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
      try (DriftClient client = DriftClient.connect(home)) {
        JobHandle<Long> h = client.submit(JobSpec.of(
            new SeededWalk(MigrationTest.SEED, steps, MigrationTest.CPU_MICROS)));
        id = h.id();
        // its record on disk holds a checkpoint well into its run
        probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
          List<JobStore.Record> kept = new JobStore(records).load(new ArrayList<>());
          assertEquals(1, kept.size());
          assertNotNull(kept.get(0).checkpoint());
          assertTrue(kept.get(0).checkpoint().steps() > 500, "steps " + kept.get(0).checkpoint());
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
      }
      assertEquals(List.of(), new JobStore(records).load(new ArrayList<>()),
          "an ended job's record is gone");
    }
  }
}
