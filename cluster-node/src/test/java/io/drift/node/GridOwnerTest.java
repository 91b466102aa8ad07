package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.OutputLine;
import io.drift.balancer.grid.GridView;
import io.drift.balancer.grid.PartnerTable;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * The owner's side of a grid, with clusters as Pekko data centers in one JVM: its terms change
 * live for every node of its cluster; isolating it sends every guest home, whole, and leaves
 * its own jobs be; partners of a lower number get its nodes first; its own work takes them
 * back. The work holds slots without burning CPU ({@link PacedWalk}), so that a grid of busy
 * nodes fits a 2-core machine.
 */
class GridOwnerTest {

  static final String DC = GridClusterTest.DC;
  static final long MILLIS = 20; // a step; 50 steps a second

  /** A node of {@code cluster} with these partners ({@code name, priority, ...}). */
  static Map<String, Object> node(String cluster, Object... partners) {
    Map<String, Object> m = new HashMap<>();
    m.put(DC, cluster);
    for (int i = 0; i < partners.length; i += 2) {
      m.put("drift.grid.partners." + partners[i] + ".priority", partners[i + 1]);
    }
    return m;
  }

  /** A walk submitted through {@code client}, with its output as it comes. */
  record Walk(JobHandle<Long> handle, List<OutputLine> out, long seed, long steps) {}

  static List<Walk> submit(DriftClient client, int n, long firstSeed, long steps) {
    List<Walk> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long seed = firstSeed + i;
      JobHandle<Long> h = client.submit(JobSpec.of(new PacedWalk(seed, steps, MILLIS)));
      List<OutputLine> lines = new CopyOnWriteArrayList<>();
      h.onOutput(lines::add);
      out.add(new Walk(h, lines, seed, steps));
    }
    return out;
  }

  /** How many of {@code walks} run on one of {@code nodes} now. */
  static int on(List<Walk> walks, Set<String> nodes) throws Exception {
    int n = 0;
    for (Walk w : walks) {
      JobInfo i = w.handle().status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      if (nodes.contains(i.host()) && !i.state().isFinal()) {
        n++;
      }
    }
    return n;
  }

  /** Each walk ended with the result and the output of one that never moved: none lost, none twice. */
  static void allWhole(List<Walk> walks) throws Exception {
    for (Walk w : walks) {
      MigrationTest.Unmoved never = PacedWalk.unmoved(w.seed(), w.steps());
      assertEquals(never.result(), w.handle().result().toCompletableFuture()
          .get(120, TimeUnit.SECONDS));
      assertEquals(never.output(), w.out().stream().map(OutputLine::text).toList());
      for (int k = 0; k < w.out().size(); k++) {
        assertEquals(k + 1, w.out().get(k).seq(), "sequence numbers run on across moves");
      }
    }
  }

  @Test
  void theOwnerIsolatesItsClusterEveryGuestGoesHomeWholeAndItsOwnJobsStay() throws Exception {
    Map<String, Object> a = node("A", "B", 1);
    Map<String, Object> b = node("B", "A", 1);
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1, 1), AutoBalanceTest.BALANCING,
            Map.of(0, a, 1, b, 2, b));
        DriftClient atA = DriftClient.connect(c.node(0).selfNode());
        DriftClient atB = DriftClient.connect(c.node(1).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      Set<String> bNodes = Set.of(c.node(1).selfNode(), c.node(2).selfNode());
      GridView b2 = GridView.get(c.node(2).system());

      // the terms change live on one node of B and reach the other, and only B
      NodeControl atB1 = new NodeControl(c.node(1).system(), c.node(1).refs());
      NodeControl.Answer set = atB1.partner("A", Map.of("max-guests", "6"))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(200, set.status(), String.valueOf(set.body()));
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        assertEquals(new PartnerTable.Partner(1, true, true, 6), b2.table().partners().get("A"));
        return null;
      });
      assertEquals(Integer.MAX_VALUE,
          GridView.get(c.node(0).system()).table().partners().get("B").maxGuests());
      assertEquals(400, atB1.partner("B", Map.of("priority", "1")).toCompletableFuture()
          .get(10, TimeUnit.SECONDS).status(), "a cluster is not its own partner");
      assertEquals(400, atB1.partner("C", Map.of("take", "off")).toCompletableFuture()
          .get(10, TimeUnit.SECONDS).status(), "a new partner needs its priority");

      List<Walk> fromA = submit(atA, 4, 100, 300); // 6 s each, 4 on A's one slot; B has two
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
        assertTrue(on(fromA, bNodes) >= 2, "A's jobs spread to B");
        return null;
      });
      List<Walk> ownB = submit(atB, 1, 200, 150);
      NodeControl.Answer iso = atB1.run("isolate", "60s", false)
          .toCompletableFuture().get(70, TimeUnit.SECONDS);
      assertEquals(200, iso.status(), String.valueOf(iso.body()));
      probe.awaitAssert(Duration.ofSeconds(3), Duration.ofMillis(50), () -> {
        assertTrue(b2.table().isolated(), "the other node of B is isolated too");
        return null;
      });
      probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(100), () -> {
        assertEquals(0, on(fromA, bNodes), "no job of A on B");
        return null;
      });
      // B's own job was not touched: it runs on B, and never went through A
      JobInfo own = ownB.get(0).handle().status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertTrue(own.state().isFinal() || bNodes.contains(own.host()), own.toString());
      // A gets nothing from B while it is isolated, though A is the busier
      for (int i = 0; i < 10; i++) {
        assertEquals(0, on(fromA, bNodes), "a job of A went to an isolated B");
        probe.expectNoMessage(Duration.ofMillis(200));
      }
      allWhole(fromA);
      allWhole(ownB);

      NodeControl.Answer back = atB1.run("rejoin", "60s", false)
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(200, back.status());
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        assertFalse(b2.table().isolated(), "B rejoined on every node");
        return null;
      });
    }
  }

  @Test
  void partnersOfALowerNumberGetTheNodesFirstAndOwnWorkTakesThemBack() throws Exception {
    Map<String, Object> a1 = node("A1", "B", 1);
    Map<String, Object> a2 = node("A2", "B", 1);
    Map<String, Object> b = node("B", "A1", 1, "A2", 2);
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1, 2), AutoBalanceTest.BALANCING,
            Map.of(0, a1, 1, a2, 2, b));
        DriftClient atA1 = DriftClient.connect(c.node(0).selfNode());
        DriftClient atA2 = DriftClient.connect(c.node(1).selfNode());
        DriftClient atB = DriftClient.connect(c.node(2).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      Set<String> bNode = Set.of(c.node(2).selfNode());
      // A2, priority 2 at B, comes first and fills B's two slots
      List<Walk> fromA2 = submit(atA2, 3, 300, 500); // 10 s each
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
        assertEquals(2, on(fromA2, bNode), "A2's jobs fill the idle B");
        return null;
      });
      // then A1, priority 1: B's slots go to it, and A2's guests go home
      List<Walk> fromA1 = submit(atA1, 3, 400, 500);
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
        assertEquals(2, on(fromA1, bNode), "A1 holds B's slots");
        assertEquals(0, on(fromA2, bNode), "A2's guests left for A1's");
        return null;
      });
      // B's own work arrives: the guests leave within a few intervals
      List<Walk> ownB = submit(atB, 2, 500, 100);
      probe.awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(100), () -> {
        assertEquals(0, on(fromA1, bNode) + on(fromA2, bNode), "B's nodes are B's again");
        assertEquals(2, on(ownB, bNode), "B's own jobs run at home");
        return null;
      });
      allWhole(fromA1);
      allWhole(fromA2);
      allWhole(ownB);
    }
  }
}
