package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's process is killed (SIGKILL) while it runs units of jobs homed elsewhere: the split
 * brain resolver downs it, and each home starts its units again on the nodes left, from their
 * latest checkpoints. Every job completes with the result of a run that never stopped, and
 * every output line arrives once.
 */
class HostCrashIT {

  static final int JOBS = 20;
  static final long STEPS = 1_500;

  @Test
  void killingAHostRestartsItsUnitsElsewhereAndNothingIsLostOrDoubled(@TempDir Path dir)
      throws Exception {
    Path conf = dir.resolve("crash.conf");
    Files.writeString(conf, String.join("\n",
        "drift.executor.checkpoint-interval = 1s",
        "drift.balancer.migrate = off",
        "pekko.cluster.split-brain-resolver.stable-after = 3s"));
    MigrationTest.Unmoved expected = MigrationTest.unmoved(STEPS);
    ActorTestKit kit = ActorTestKit.create();
    try (NodeProcesses nodes = NodeProcesses.start("crash", 3, conf);
        DriftClient client = connect(nodes, kit)) {
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
      TestProbe<Object> probe = kit.createTestProbe();
      // all running, and some checkpointed: a few steps past the first interval
      int victim = probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
        int[] units = new int[3];
        for (JobHandle<Long> h : jobs) {
          JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertEquals(JobState.RUNNING, info.state(), info.toString());
          for (int n = 0; n < 3; n++) {
            if (info.host().equals(nodes.node(n))) {
              units[n]++;
            }
          }
        }
        int v = units[1] >= units[2] ? 1 : 2; // node 0 is every job's home: it stays
        assertTrue(units[v] >= 3, "a host with several units: " + java.util.Arrays.toString(units));
        // well past the first checkpoint interval
        assertTrue(jobs.get(0).status().toCompletableFuture().get(5, TimeUnit.SECONDS).steps()
            > 400, "under way");
        return v;
      });
      nodes.kill(victim);

      for (int i = 0; i < JOBS; i++) {
        JobHandle<Long> h = jobs.get(i);
        assertEquals(expected.result(), h.result().toCompletableFuture().get(180, TimeUnit.SECONDS),
            "job " + i);
        JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(!done.host().equals(nodes.node(victim)), "finished elsewhere: " + done);
      }
      for (int i = 0; i < JOBS; i++) {
        List<OutputLine> out = outputs.get(i);
        int job = i;
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
          assertEquals(expected.output().size(), out.size(), "lines of job " + job);
          return null;
        });
        assertEquals(expected.output(), out.stream().map(OutputLine::text).toList(),
            "job " + i + ": each line once, in order");
        for (int k = 0; k < out.size(); k++) {
          assertEquals(k + 1, out.get(k).seq());
        }
      }
      assertTrue(nodes.log(0).contains("starts again from its checkpoint"),
          "some unit restarted from a checkpoint, not from its start");
    } finally {
      kit.shutdownTestKit();
    }
  }

  private static DriftClient connect(NodeProcesses nodes, ActorTestKit kit) throws Exception {
    nodes.awaitCluster(kit.createTestProbe());
    return DriftClient.connect(nodes.node(0));
  }
}
