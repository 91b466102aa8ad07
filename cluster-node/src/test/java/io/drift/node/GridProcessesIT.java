package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drift.api.JobInfo;
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, point 1, as an owner would see it: two clusters of three node processes each on
 * loopback ({@code bin/drift node}, clusters as Pekko data centers). A is saturated and B idle;
 * A's jobs spread to B; B's owner runs {@code bin/drift ctl isolate}; every guest of A goes
 * home and ends there with the result and output of a run that never moved, and B's own jobs
 * run on, on B.
 */
class GridProcessesIT {

  static final String TOKEN = "grid-it-token-0123456789";
  // 12 s a walk (20 ms a step): most of A's walks must still run when isolate has answered
  // (the CLI's JVM alone takes seconds to start on a busy machine)
  static final long STEPS = 600;

  static NodeProcesses nodes;
  static ActorTestKit kit;

  /** Nodes 0-2 are cluster A, 3-5 cluster B; each takes the other's jobs, priority 1. */
  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    for (String[] c : new String[][] {{"A", "B"}, {"B", "A"}}) {
      Files.writeString(dir.resolve(c[0] + ".conf"), String.join("\n",
          "pekko.cluster.multi-data-center.self-data-center = \"" + c[0] + "\"",
          "pekko.management.http.route-providers-read-only = false",
          "drift.grid.partners { " + c[1] + " { priority = 1 } }", ""));
    }
    nodes = NodeProcesses.start("grid", 6, i -> dir.resolve((i < 3 ? "A" : "B") + ".conf"),
        Map.of("DRIFT_TOKEN", TOKEN));
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (nodes != null) {
      nodes.close();
    }
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  static Set<String> range(int from, int to) {
    Set<String> out = new HashSet<>();
    for (int i = from; i < to; i++) {
      out.add(nodes.node(i));
    }
    return out;
  }

  @Test
  void aSaturatedClustersJobsSpreadToAnIdleOneAndAllComeHomeWholeWhenItsOwnerIsolatesIt()
      throws Exception {
    TestProbe<Object> probe = kit.createTestProbe();
    nodes.awaitCluster(probe);
    JsonNode grid = nodes.get(3, "/drift/grid");
    assertEquals("B", grid.get("cluster").asText());
    assertEquals(1, grid.get("partners").get("A").get("priority").asInt());
    Set<String> a = range(0, 3);
    Set<String> b = range(3, 6);
    try (DriftClient atA = DriftClient.connect(nodes.node(0));
        DriftClient atB = DriftClient.connect(nodes.node(3))) {
      // 12 walks on A's 6 slots, B's 6 idle
      List<GridOwnerTest.Walk> fromA = GridOwnerTest.submit(atA, 12, 1_000, STEPS);
      long t0 = System.nanoTime();
      probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
        assertTrue(GridOwnerTest.on(fromA, b) >= 3, "A's jobs spread to B");
        return null;
      });
      double spread = (System.nanoTime() - t0) / 1e9;
      System.out.printf("grid IT: A's jobs on B after %.1f s (gossip interval 1 s)%n", spread);
      List<GridOwnerTest.Walk> ownB = GridOwnerTest.submit(atB, 2, 2_000, STEPS / 2);

      ClusterProcessesIT.Run iso = ClusterProcessesIT.drift("", "ctl", "isolate", "--http",
          "127.0.0.1:" + nodes.httpPort(4), "--token", TOKEN, "--within", "60s");
      assertEquals(0, iso.code(), iso.out() + iso.err());
      assertTrue(iso.out().contains("isolated: true"), iso.out());
      // every node of B stands alone now, and no job of A runs there
      for (int i = 3; i < 6; i++) {
        assertTrue(nodes.get(i, "/drift/grid").get("isolated").asBoolean(), "node " + i);
      }
      // A's jobs still running now must end in A; one that ended on B before the isolation
      // took effect ended where it was, rightly
      List<GridOwnerTest.Walk> open = new java.util.ArrayList<>();
      for (GridOwnerTest.Walk w : fromA) {
        if (!w.handle().status().toCompletableFuture().get(5, TimeUnit.SECONDS).state()
            .isFinal()) {
          open.add(w);
        }
      }
      assertFalse(open.isEmpty(), "every job of A ended before the isolation: it shows nothing");
      assertEquals(0, GridOwnerTest.on(fromA, b), "a job of A still on B");
      for (GridOwnerTest.Walk w : ownB) {
        JobInfo i = w.handle().status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertTrue(i.state().isFinal() || b.contains(i.host()), "B's own job left B: " + i);
      }
      GridOwnerTest.allWhole(fromA);
      GridOwnerTest.allWhole(ownB);
      for (GridOwnerTest.Walk w : open) {
        assertTrue(a.contains(w.handle().status().toCompletableFuture()
            .get(5, TimeUnit.SECONDS).host()), "A's jobs ended in A");
      }
      // the owner's view: mon shows each node's cluster
      ClusterProcessesIT.Run mon = ClusterProcessesIT.drift("", "mon", "--node", nodes.node(3));
      assertEquals(0, mon.code(), mon.err());
      assertTrue(mon.out().contains("CLUSTER"), mon.out());
    }
  }
}
