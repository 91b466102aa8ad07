package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to a node process that hosts units of jobs homed elsewhere: it drains before it
 * leaves. Its units move (relocations, no restart), every job completes with the result of a
 * run that never moved, and every line arrives once.
 */
class SigtermDrainIT {

  static final int JOBS = 10;
  static final long STEPS = 3_000;

  @Test
  void aNodeStoppedBySigtermMovesItsUnitsAwayFirst() throws Exception {
    MigrationTest.Unmoved expected = MigrationTest.unmoved(STEPS);
    ActorTestKit kit = ActorTestKit.create();
    try (NodeProcesses nodes = NodeProcesses.start("sigterm", 3, null)) {
      TestProbe<Object> probe = kit.createTestProbe();
      nodes.awaitCluster(probe);
      try (DriftClient client = DriftClient.connect(nodes.node(0))) {
        List<JobHandle<Long>> jobs = new ArrayList<>();
        List<List<OutputLine>> outputs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
          JobHandle<Long> h = client.submit(JobSpec.of(
              new SeededWalk(MigrationTest.SEED, STEPS, MigrationTest.CPU_MICROS)));
          List<OutputLine> out = new CopyOnWriteArrayList<>();
          h.onOutput(out::add);
          jobs.add(h);
          outputs.add(out);
        }
        int victim = probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
          int[] units = new int[3];
          for (JobHandle<Long> h : jobs) {
            JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(JobState.RUNNING, info.state(), info.toString());
            for (int n = 0; n < 3; n++) {
              units[n] += info.host().equals(nodes.node(n)) ? 1 : 0;
            }
          }
          int v = units[1] >= units[2] ? 1 : 2; // node 0 is every job's home: it stays
          assertTrue(units[v] >= 2, java.util.Arrays.toString(units));
          return v;
        });
        String gone = nodes.node(victim);
        assertTrue(nodes.stop(victim, Duration.ofSeconds(90)), "the node exits after its drain");

        for (int i = 0; i < JOBS; i++) {
          JobHandle<Long> h = jobs.get(i);
          assertEquals(expected.result(),
              h.result().toCompletableFuture().get(180, TimeUnit.SECONDS), "job " + i);
          JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertFalse(done.host().equals(gone), "finished elsewhere: " + done);
          List<OutputLine> out = outputs.get(i);
          int job = i;
          probe.awaitAssert(Duration.ofSeconds(10), () -> {
            assertEquals(expected.output().size(), out.size(), "lines of job " + job);
            return null;
          });
          assertEquals(expected.output(), out.stream().map(OutputLine::text).toList());
        }
        String victimLog = nodes.log(victim);
        assertTrue(victimLog.contains("SIGTERM: draining node"), "it drained");
        assertTrue(victimLog.contains("drain done"), "every unit moved away");
        assertFalse(nodes.log(0).contains("starts again"), "moved, not restarted");
      }
    } finally {
      kit.shutdownTestKit();
    }
  }
}
