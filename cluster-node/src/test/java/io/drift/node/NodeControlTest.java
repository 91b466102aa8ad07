package io.drift.node;

import static io.drift.node.cli.Cli.drift;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.node.cli.Cli.Run;
import com.fasterxml.jackson.databind.JsonNode;
import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.MigrationRefusedException;
import io.drift.balancer.Decision;
import io.drift.node.cli.DriftCli;
import io.drift.node.cli.ExitCodes;
import io.drift.node.client.DriftClient;
import io.drift.node.http.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * The operator's verbs (MOSIX: mosctl) through the real {@code drift ctl} and the management
 * HTTP routes: a blocked node takes no guests and says so; expel sends guests away; bring calls
 * a node's jobs home; stay stops a node's own moves and nostay lets them happen again.
 */
class NodeControlTest {

  static String http(LocalCluster c, int i) {
    return "127.0.0.1:" + c.node(i).httpPort();
  }

  static JsonNode status(LocalCluster c, int i) throws Exception {
    Run r = drift("ctl", "status", "--json", "--http", http(c, i));
    assertEquals(ExitCodes.OK, r.code(), r.err());
    return Json.mapper().readTree(r.out());
  }

  static List<JobHandle<Long>> walks(DriftClient client, int n) {
    List<JobHandle<Long>> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(client.submit(JobSpec.of(new SeededWalk(MigrationTest.SEED + i, 1_000_000, 500))));
    }
    return jobs;
  }

  @Test
  void blockExpelAndBringMoveGuestsAsTheOperatorSays() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(2, 2),
            TestClusters.WRITABLE);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      String guestNode = c.node(1).selfNode();
      List<JobHandle<Long>> jobs = walks(client, 2);
      for (JobHandle<Long> h : jobs) {
        if (!TestClusters.runningHost(c, h).equals(guestNode)) {
          h.migrate(guestNode).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
      }
      JobHandle<Long> third = walks(client, 1).get(0);
      String thirdHost = TestClusters.runningHost(c, third);

      // block: node 1 says so, and a move to it is refused with the reason
      Run blocked = drift("ctl", "block", "--token", TestClusters.TOKEN, "--http", http(c, 1));
      assertEquals(ExitCodes.OK, blocked.code(), blocked.err());
      assertTrue(blocked.out().contains("blocked: true"), blocked.out());
      assertTrue(blocked.out().contains("acceptsGuests: false"), blocked.out());
      assertEquals(2, status(c, 1).get("guests").asInt(), "the guests it had stay");
      if (!thirdHost.equals(guestNode)) {
        CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(
            CompletionException.class, () -> third.migrate(guestNode).toCompletableFuture().join());
        assertTrue(refused.getCause() instanceof MigrationRefusedException
            && refused.getCause().getMessage().contains("blocked"), refused.toString());
      }
      Run unblocked = drift("ctl", "noblock", "--token", TestClusters.TOKEN, "--http", http(c, 1));
      assertTrue(unblocked.out().contains("blocked: false"), unblocked.out());

      // expel: every guest of node 1 goes (home here), and node 1 is blocked after
      Run expel = drift("ctl", "expel", "--token", TestClusters.TOKEN, "--within", "60s", "--http", http(c, 1));
      assertEquals(ExitCodes.OK, expel.code(), expel.out() + expel.err());
      assertTrue(expel.out().contains("guestsLeft: 0"), expel.out());
      JsonNode after = status(c, 1);
      assertEquals(0, after.get("guests").asInt());
      assertTrue(after.get("blocked").asBoolean());
      for (JobHandle<Long> h : jobs) {
        assertEquals(c.node(0).selfNode(), h.status().toCompletableFuture()
            .get(5, TimeUnit.SECONDS).host());
      }
      drift("ctl", "noblock", "--token", TestClusters.TOKEN, "--http", http(c, 1));

      // bring: the jobs homed at node 0 that run on node 1 come home
      for (JobHandle<Long> h : jobs) {
        h.migrate(guestNode).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      Run bring = drift("ctl", "bring", "--token", TestClusters.TOKEN, "--json", "--http", http(c, 0));
      assertEquals(ExitCodes.OK, bring.code(), bring.err());
      JsonNode brought = Json.mapper().readTree(bring.out());
      assertEquals(2, brought.get("broughtHome").size(), bring.out());
      for (JobHandle<Long> h : jobs) {
        assertEquals(c.node(0).selfNode(), h.status().toCompletableFuture()
            .get(5, TimeUnit.SECONDS).host());
      }
      for (JobHandle<Long> h : List.of(jobs.get(0), jobs.get(1), third)) {
        h.cancel();
      }
    }
  }

  @Test
  void aNodeThatStaysMovesNothingAwayByItselfUntilToldOtherwise() throws Exception {
    Map<String, Object> settings = new HashMap<>(AutoBalanceTest.BALANCING);
    settings.putAll(TestClusters.WRITABLE);
    try (LocalCluster c = TestClusters.startReady(List.of(1), settings);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      Run stay = drift("ctl", "stay", "--token", TestClusters.TOKEN, "--http", http(c, 0));
      assertEquals(ExitCodes.OK, stay.code(), stay.err());
      assertTrue(stay.out().contains("stay: true") && stay.out().contains("autoMigrate: false"),
          stay.out());
      List<JobHandle<Long>> jobs = walks(client, 3); // three units on one slot
      for (JobHandle<Long> h : jobs) {
        TestClusters.runningHost(c, h);
      }
      String joined = c.addNode(2, Map.of()).selfNode();
      c.awaitReady(Duration.ofSeconds(30));
      // an idle node with two slots, and for a while nothing goes to it
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      probe.expectNoMessage(Duration.ofSeconds(3)); // fifteen decision intervals
      assertFalse(AutoBalanceTest.decisions(c, 0).stream()
          .anyMatch(d -> d.kind().equals("load")), "no move while it stays");
      assertEquals(3, status(c, 0).get("units").asInt());

      drift("ctl", "nostay", "--token", TestClusters.TOKEN, "--http", http(c, 0));
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
        List<Decision> moves = AutoBalanceTest.decisions(c, 0).stream()
            .filter(d -> d.kind().equals("load") && d.outcome() != null
                && d.outcome().startsWith("moved")).toList();
        assertFalse(moves.isEmpty(), "it moves again: " + AutoBalanceTest.decisions(c, 0));
        assertEquals(joined, moves.get(0).target());
        return null;
      });
      jobs.forEach(JobHandle::cancel);
    }
  }

  @Test
  void badVerbsAndUnreachableNodesGetOneLineAndAnExitCode() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1))) {
      Run unknown = drift("ctl", "freeze-all", "--http", http(c, 0));
      assertEquals(ExitCodes.BAD_INPUT, unknown.code());
      assertTrue(unknown.err().contains("unknown verb 'freeze-all'"), unknown.err());
      Run readOnly = drift("ctl", "block", "--http", http(c, 0)); // management is read-only here
      assertEquals(ExitCodes.BAD_INPUT, readOnly.code(), readOnly.out() + readOnly.err());
      assertTrue(readOnly.err().contains("read-only"), readOnly.err());
      assertEquals(ExitCodes.OK, drift("ctl", "status", "--http", http(c, 0)).code(),
          "reading is allowed");
      int closed = LocalCluster.freePorts(1).get(0);
      Run down = drift("ctl", "status", "--http", "127.0.0.1:" + closed);
      assertEquals(ExitCodes.UNAVAILABLE, down.code());
      assertTrue(down.err().contains("cannot reach") && !down.err().contains("\tat "),
          down.err());
      assertEquals(1, down.err().strip().lines().count(), "one line: " + down.err());
    }
  }
}
