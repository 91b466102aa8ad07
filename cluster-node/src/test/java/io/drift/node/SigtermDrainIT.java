package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.List;
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
    ActorTestKit kit = ActorTestKit.create();
    try (NodeProcesses nodes = NodeProcesses.start("sigterm", 3, null)) {
      TestProbe<Object> probe = kit.createTestProbe();
      nodes.awaitCluster(probe);
      try (DriftClient client = DriftClient.connect(nodes.node(0))) {
        Walks walks = new Walks(client, JOBS, STEPS);
        List<String> names = List.of(nodes.node(0), nodes.node(1), nodes.node(2));
        int victim = probe.awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
          int[] units = walks.unitsOn(names);
          int v = units[1] >= units[2] ? 1 : 2; // node 0 is every job's home: it stays
          assertTrue(units[v] >= 2, java.util.Arrays.toString(units));
          return v;
        });
        assertTrue(nodes.stop(victim, Duration.ofSeconds(90)), "the node exits after its drain");
        walks.assertCompleteEachLineOnce(probe, nodes.node(victim));
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
