package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
    ActorTestKit kit = ActorTestKit.create();
    try (NodeProcesses nodes = NodeProcesses.start("crash", 3, conf);
        DriftClient client = connect(nodes, kit)) {
      Walks walks = new Walks(client, JOBS, STEPS);
      TestProbe<Object> probe = kit.createTestProbe();
      List<String> names = List.of(nodes.node(0), nodes.node(1), nodes.node(2));
      // all running, and some checkpointed: a few steps past the first interval
      int victim = probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
        int[] units = walks.unitsOn(names);
        int v = units[1] >= units[2] ? 1 : 2; // node 0 is every job's home: it stays
        assertTrue(units[v] >= 3, "a host with several units: " + Arrays.toString(units));
        // well past the first checkpoint interval
        assertTrue(walks.jobs.get(0).status().toCompletableFuture().get(5, TimeUnit.SECONDS)
            .steps() > 400, "under way");
        return v;
      });
      nodes.kill(victim);
      walks.assertCompleteEachLineOnce(probe, nodes.node(victim));
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
