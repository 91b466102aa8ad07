package io.drift.node.cli;

import static io.drift.node.cli.Cli.drift;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.node.cli.Cli.Run;
import com.fasterxml.jackson.databind.JsonNode;
import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.units.BurnCpu;
import io.drift.node.LocalCluster;
import io.drift.node.TestClusters;
import io.drift.node.client.DriftClient;
import io.drift.node.http.Json;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The commands that show the cluster: {@code ps --all}, {@code mon}, {@code why} and
 * {@code members}, against two nodes with a job homed at each, one of them moved by hand.
 */
class ClusterViewsTest {

  static LocalCluster cluster;
  static DriftClient[] clients = new DriftClient[2];
  static JobHandle<?>[] jobs = new JobHandle<?>[2];

  @BeforeAll
  static void start() throws Exception {
    cluster = TestClusters.startReady(List.of(1, 1));
    for (int i = 0; i < 2; i++) {
      clients[i] = DriftClient.connect(cluster.node(i).selfNode());
      jobs[i] = clients[i].submit(JobSpec.of(new BurnCpu(120_000)).withName("view-" + i));
      TestClusters.runningHost(cluster, jobs[i]);
    }
    // job 0 runs on node 1: moved by hand, so why has a move to tell
    String other = cluster.node(1).selfNode();
    if (!other.equals(TestClusters.runningHost(cluster, jobs[0]))) {
      jobs[0].migrate(other).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    for (int i = 0; i < 2; i++) {
      if (jobs[i] != null) {
        jobs[i].cancel();
      }
      if (clients[i] != null) {
        clients[i].close();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void psAllListsTheJobsOfEveryNodeWithWhereTheyRunAndTheirMoves() throws Exception {
    Run one = drift("ps", "--node", cluster.node(0).selfNode());
    assertEquals(ExitCodes.OK, one.code(), one.err());
    assertTrue(one.out().contains("view-0") && !one.out().contains("view-1"), one.out());
    assertTrue(one.out().lines().findFirst().orElse("").contains("MIGS"), one.out());

    Run all = drift("ps", "--all", "--json", "--node", cluster.node(0).selfNode());
    assertEquals(ExitCodes.OK, all.code(), all.err());
    JsonNode list = Json.mapper().readTree(all.out());
    Set<String> names = new HashSet<>();
    for (JsonNode j : list) {
      names.add(j.get("name").asText());
      if (j.get("name").asText().equals("view-0")) {
        assertEquals(cluster.node(0).selfNode(), j.get("home").asText());
        assertEquals(cluster.node(1).selfNode(), j.get("host").asText());
      }
    }
    assertTrue(names.containsAll(Set.of("view-0", "view-1")), all.out());
  }

  @Test
  void monShowsEveryNodeAsABarAndAsJson() throws Exception {
    // the samples say a unit runs on each node a moment after it started
    org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit.create(cluster.node(0).system())
        .createTestProbe().awaitAssert(java.time.Duration.ofSeconds(10),
            java.time.Duration.ofMillis(200), () -> {
              JsonNode rows = Json.mapper().readTree(drift("mon", "--json", "--node",
                  cluster.node(0).selfNode()).out());
              int units = 0;
              for (JsonNode r : rows) {
                units += r.get("runnable").asInt();
              }
              assertEquals(2, units, rows.toString());
              Run chart = drift("mon", "--node", cluster.node(0).selfNode());
              assertEquals(ExitCodes.OK, chart.code(), chart.err());
              for (int i = 0; i < 2; i++) {
                assertTrue(chart.out().contains(cluster.node(i).selfNode()), chart.out());
              }
              assertTrue(chart.out().contains("[#"), "a node with units has a bar: "
                  + chart.out());
              return null;
            });
    Run json = drift("mon", "--json", "--node", cluster.node(1).selfNode());
    JsonNode rows = Json.mapper().readTree(json.out());
    assertEquals(2, rows.size(), json.out());
    for (JsonNode r : rows) {
      assertEquals(1, r.get("slots").asInt());
      assertTrue(r.get("load").asDouble() >= 0 && r.has("guests") && r.has("totalMemoryBytes"));
    }
    Run frames = drift("mon", "--count", "2", "--every", "100ms",
        "--node", cluster.node(0).selfNode());
    assertEquals(2, frames.out().split("NODE ", -1).length - 1, frames.out());
    Run bad = drift("mon", "--every", "soon", "--node", cluster.node(0).selfNode());
    assertEquals(ExitCodes.BAD_INPUT, bad.code());
    assertTrue(bad.err().contains("--every"), bad.err());
  }

  @Test
  void whyTellsWhereAJobWasPlacedAndMovedWithReasons() throws Exception {
    Run why = drift("why", jobs[0].id().value(), "--node", cluster.node(1).selfNode());
    assertEquals(ExitCodes.OK, why.code(), why.err());
    assertTrue(why.out().contains("place") && why.out().contains(cluster.node(0).selfNode()),
        why.out());
    Run json = drift("why", jobs[0].id().value(), "--json", "--node",
        cluster.node(0).selfNode());
    JsonNode rows = Json.mapper().readTree(json.out());
    assertTrue(rows.size() >= 1, json.out());
    assertEquals("place", rows.get(0).get("decision").get("kind").asText());

    Run none = drift("why", "0123456789ab", "--node", cluster.node(0).selfNode());
    assertEquals(ExitCodes.OK, none.code());
    assertTrue(none.out().contains("no node remembers"), none.out());
    Run bad = drift("why", "not-a-job!", "--node", cluster.node(0).selfNode());
    assertEquals(ExitCodes.BAD_INPUT, bad.code(), bad.out() + bad.err());
  }

  @Test
  void membersComeFromPekkoManagement() throws Exception {
    String http = "127.0.0.1:" + cluster.node(0).httpPort();
    Run table = drift("members", "--http", http);
    assertEquals(ExitCodes.OK, table.code(), table.err());
    assertEquals(2, table.out().lines().filter(l -> l.contains(" Up ")).count(), table.out());
    assertTrue(table.out().contains("leader: "), table.out());
    Run json = drift("members", "--json", "--http", http);
    assertEquals(2, Json.mapper().readTree(json.out()).get("members").size());
  }
}
