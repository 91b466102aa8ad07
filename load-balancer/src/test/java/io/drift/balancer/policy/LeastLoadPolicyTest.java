package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The first placement rule (docs/decisions/0003): the highest speed one more unit would get,
 * {@code speed * min(1, slots / (runnable + recent + 1))}, which among full nodes is the least
 * {@code loadWithOneMore}; ties to the home, then the smaller name.
 */
class LeastLoadPolicyTest {

  private static final long MB = 1024L * 1024L;
  private static final long PLENTY = 64_000 * MB;

  private final LeastLoadPolicy policy = new LeastLoadPolicy();

  private static NodeLoad node(String name, int slots, int runnable, double speed) {
    return new NodeLoad(name, slots, runnable, 0, speed, PLENTY, true);
  }

  private static PlacementRequest req(String home) {
    return new PlacementRequest("job-1", home, 0, Set.of());
  }

  private static Map<String, PlacementDecision.Candidate> byNode(PlacementDecision d) {
    Map<String, PlacementDecision.Candidate> m = new HashMap<>();
    for (PlacementDecision.Candidate c : d.candidates()) {
      if (m.put(c.node(), c) != null) {
        fail("node " + c.node() + " appears twice in " + d.candidates());
      }
    }
    return m;
  }

  // ---- the scores -----------------------------------------------------------------------------

  @Test
  void loadWithOneMoreIsRunnablePlusRecentPlusOneOverSlotsTimesSpeed() {
    assertEquals(1.0, new NodeLoad("a", 1, 0, 0, 1.0, 0, true).loadWithOneMore(), 0.0);
    assertEquals(3.0 / 2.0, new NodeLoad("a", 1, 2, 0, 2.0, 0, true).loadWithOneMore(), 0.0);
    assertEquals(6.0 / 8.0, new NodeLoad("a", 4, 3, 2, 2.0, 0, true).loadWithOneMore(), 0.0);
    assertEquals(8.0 / 1.5, new NodeLoad("a", 3, 7, 0, 0.5, 0, true).loadWithOneMore(), 1e-12);
  }

  @Test
  void speedWithOneMoreIsFullSpeedWhileASlotIsFreeThenShared() {
    // free slot: full speed, however many slots are free
    assertEquals(2.0, new NodeLoad("a", 4, 0, 0, 2.0, 0, true).speedWithOneMore(), 0.0);
    assertEquals(2.0, new NodeLoad("a", 4, 2, 1, 2.0, 0, true).speedWithOneMore(), 0.0);
    // exactly the last slot: still full speed
    assertEquals(1.5, new NodeLoad("a", 2, 1, 0, 1.5, 0, true).speedWithOneMore(), 0.0);
    // full: speed shared among the run queue, the inverse of loadWithOneMore
    NodeLoad full = new NodeLoad("a", 2, 3, 2, 3.0, 0, true); // 3.0 * 2/6
    assertEquals(1.0, full.speedWithOneMore(), 1e-12);
    assertEquals(1.0 / full.loadWithOneMore(), full.speedWithOneMore(), 1e-12);
  }

  // ---- choosing -------------------------------------------------------------------------------

  /** name, nodes, home, expected choice. */
  static Stream<Arguments> choiceTable() {
    return Stream.of(
        Arguments.of("an idle node beats a full one",
            // a: 1.0 * 1/4 = 0.25; b: 1.0
            List.of(node("a:1", 1, 3, 1.0), node("b:1", 1, 0, 1.0)), "a:1", "b:1"),
        Arguments.of("an idle one-slot home keeps the job against an idle two-slot node",
            // both have a free slot: both 1.0; the home wins the tie (decision 0003)
            List.of(node("a:1", 2, 0, 1.0), node("b:1", 1, 0, 1.0)), "b:1", "b:1"),
        Arguments.of("among free nodes the fastest wins, whatever its slots",
            // a: 2.0; b: 1.0 with 8 free slots
            List.of(node("a:1", 1, 0, 2.0), node("b:1", 8, 0, 1.0)), "b:1", "a:1"),
        Arguments.of("among full nodes a faster node with more runnable units wins",
            // a: load (2+1)/(1*2.0) = 1.5, score 2/3; b: load (1+1)/1 = 2.0, score 1/2
            List.of(node("a:1", 1, 2, 2.0), node("b:1", 1, 1, 1.0)), "b:1", "a:1"),
        Arguments.of("among full nodes more slots means less load",
            // a: load (5+1)/(4*1) = 1.5, score 2/3; b: load (1+1)/1 = 2.0, score 1/2
            List.of(node("a:1", 4, 5, 1.0), node("b:1", 1, 1, 1.0)), "b:1", "a:1"),
        Arguments.of("a free slot beats a faster full node",
            // a: 1.0 with its last slot; b: 3.0 * 1/4 = 0.75
            List.of(node("a:1", 2, 1, 1.0), node("b:1", 1, 3, 3.0)), "z:1", "a:1"),
        Arguments.of("a slow idle node loses to a shared reference node",
            // a: 0.25; b: 1.0 * 1/3
            List.of(node("a:1", 1, 0, 0.25), node("b:1", 1, 2, 1.0)), "a:1", "b:1"),
        Arguments.of("a single fit node is chosen however loaded",
            List.of(node("z:9", 1, 100, 0.5)), "a:1", "z:9"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("choiceTable")
  void choosesTheHighestSpeedForOneMoreUnit(
      String name, List<NodeLoad> nodes, String home, String want) {
    PlacementDecision d = policy.place(req(home), nodes);
    assertEquals(Optional.of(want), d.chosen(), name + ": " + d);
    assertEquals(Optional.of(want), policy.place(req(home), reversed(nodes)).chosen(), name);
    assertEquals("job-1", d.jobId());
  }

  @Test
  void recentPlacementsCountAsRunnable() {
    // a: 1 slot, nothing runnable but 3 placed recently: 1/4; b: 2 runnable: 1/3
    NodeLoad a = new NodeLoad("a:1", 1, 0, 3, 1.0, PLENTY, true);
    NodeLoad b = new NodeLoad("b:1", 1, 2, 0, 1.0, PLENTY, true);
    PlacementDecision d = policy.place(req("a:1"), List.of(a, b));
    assertEquals(Optional.of("b:1"), d.chosen(), d.toString());
    assertEquals(0.25, byNode(d).get("a:1").score(), 1e-12);
    assertEquals(1.0 / 3.0, byNode(d).get("b:1").score(), 1e-12);

    // without them a would win
    NodeLoad aFresh = new NodeLoad("a:1", 1, 0, 0, 1.0, PLENTY, true);
    assertEquals(Optional.of("a:1"), policy.place(req("a:1"), List.of(aFresh, b)).chosen());
  }

  @Test
  void recentPlacementsFillFreeSlots() {
    // home has two slots; one recent placement leaves the last slot, two fill it
    NodeLoad other = node("b:1", 1, 0, 1.0);
    NodeLoad oneRecent = new NodeLoad("a:1", 2, 0, 1, 1.0, PLENTY, true);
    NodeLoad twoRecent = new NodeLoad("a:1", 2, 0, 2, 1.0, PLENTY, true);
    assertEquals(Optional.of("a:1"), policy.place(req("a:1"), List.of(oneRecent, other)).chosen());
    assertEquals(Optional.of("b:1"), policy.place(req("a:1"), List.of(twoRecent, other)).chosen());
  }

  // ---- ties -----------------------------------------------------------------------------------

  @Test
  void speedNormalisedTieGoesToTheHome() {
    // fast: load (3+1)/(1*2.0) = 2.0; slow: load (1+1)/(1*1.0) = 2.0; both score 0.5
    NodeLoad fast = node("a:1", 1, 3, 2.0);
    NodeLoad slow = node("b:1", 1, 1, 1.0);
    assertEquals(fast.loadWithOneMore(), slow.loadWithOneMore(), 0.0);
    assertEquals(fast.speedWithOneMore(), slow.speedWithOneMore(), 0.0);

    assertEquals(Optional.of("b:1"), policy.place(req("b:1"), List.of(fast, slow)).chosen());
    assertEquals(Optional.of("a:1"), policy.place(req("a:1"), List.of(fast, slow)).chosen());
    assertEquals(Optional.of("b:1"), policy.place(req("b:1"), List.of(slow, fast)).chosen());
    assertEquals(Optional.of("a:1"), policy.place(req("x:1"), List.of(slow, fast)).chosen());
  }

  @Test
  void tieWithoutTheHomeGoesToTheSmallerName() {
    List<NodeLoad> nodes = List.of(node("c:1", 2, 1, 1.0), node("b:2", 1, 0, 1.0),
        node("b:10", 2, 1, 1.0), node("d:1", 1, 0, 1.0));
    // all four have a free slot at speed 1.0; "b:10" < "b:2" as strings
    for (List<NodeLoad> order : List.of(nodes, reversed(nodes))) {
      PlacementDecision d = policy.place(req("elsewhere:1"), order);
      assertEquals(Optional.of("b:10"), d.chosen(), d.toString());
    }
  }

  @Test
  void homeWinsATieEvenWithTheLargerName() {
    List<NodeLoad> nodes = List.of(node("a:1", 1, 0, 1.0), node("z:1", 1, 0, 1.0));
    PlacementDecision d = policy.place(req("z:1"), nodes);
    assertEquals(Optional.of("z:1"), d.chosen());
    assertTrue(d.reason().contains("z:1") && d.reason().contains("(home)"), d.reason());
  }

  @Test
  void homeLosesWhenClearlySlower() {
    List<NodeLoad> nodes = List.of(node("a:1", 1, 0, 1.0), node("z:1", 1, 1, 1.0));
    PlacementDecision d = policy.place(req("z:1"), nodes);
    assertEquals(Optional.of("a:1"), d.chosen());
    assertFalse(d.reason().contains("(home)"), d.reason());
  }

  @Test
  void floatNoiseDoesNotBreakLocalFirst() {
    // 0.1 * 3/4 and 0.3 * 1/4 are the same speed, but not the same double
    NodeLoad a = new NodeLoad("a:1", 3, 3, 0, 0.1, PLENTY, true);
    NodeLoad b = new NodeLoad("b:1", 1, 3, 0, 0.3, PLENTY, true);
    assertNotEquals(a.speedWithOneMore(), b.speedWithOneMore(), "precondition: noise exists");
    String noisyLoser = a.speedWithOneMore() < b.speedWithOneMore() ? "a:1" : "b:1";
    for (List<NodeLoad> order : List.of(List.of(a, b), List.of(b, a))) {
      PlacementDecision d = policy.place(req(noisyLoser), order);
      assertEquals(Optional.of(noisyLoser), d.chosen(), d.toString());
    }
  }

  // ---- dropping nodes ---------------------------------------------------------------------

  @Test
  void excludedNodesAreDroppedEvenTheHome() {
    List<NodeLoad> nodes = List.of(node("a:1", 1, 0, 1.0), node("b:1", 1, 5, 1.0));
    PlacementDecision d =
        policy.place(new PlacementRequest("j", "a:1", 0, Set.of("a:1")), nodes);
    assertEquals(Optional.of("b:1"), d.chosen());
    PlacementDecision.Candidate a = byNode(d).get("a:1");
    assertTrue(a.verdict().startsWith("excluded"), a.verdict());
    assertTrue(Double.isNaN(a.score()), "dropped nodes have no score: " + a);
  }

  @Test
  void nodeRefusingGuestsIsDroppedUnlessItIsTheHome() {
    NodeLoad idleNoGuests = new NodeLoad("a:1", 4, 0, 0, 2.0, PLENTY, false);
    NodeLoad busy = node("b:1", 1, 5, 1.0);

    PlacementDecision asGuest = policy.place(req("b:1"), List.of(idleNoGuests, busy));
    assertEquals(Optional.of("b:1"), asGuest.chosen(), asGuest.toString());
    assertEquals("does not accept guests", byNode(asGuest).get("a:1").verdict());
    assertTrue(Double.isNaN(byNode(asGuest).get("a:1").score()));

    PlacementDecision atHome = policy.place(req("a:1"), List.of(idleNoGuests, busy));
    assertEquals(Optional.of("a:1"), atHome.chosen(), atHome.toString());
    assertEquals("chosen", byNode(atHome).get("a:1").verdict());
  }

  @Test
  void nodeWithoutTheDeclaredMemoryIsDropped() {
    NodeLoad small = new NodeLoad("a:1", 8, 0, 0, 4.0, 100 * MB, true);
    NodeLoad exact = new NodeLoad("b:1", 1, 3, 0, 1.0, 200 * MB, true);
    NodeLoad big = new NodeLoad("c:1", 1, 9, 0, 1.0, 8_000 * MB, true);

    PlacementDecision d =
        policy.place(new PlacementRequest("j", "a:1", 200, Set.of()), List.of(small, exact, big));
    assertEquals(Optional.of("b:1"), d.chosen(), "exactly enough memory is enough: " + d);
    String verdict = byNode(d).get("a:1").verdict();
    assertTrue(verdict.contains("memory") && verdict.contains("100 MB"), verdict);
    assertTrue(Double.isNaN(byNode(d).get("a:1").score()));

    PlacementDecision more =
        policy.place(new PlacementRequest("j", "a:1", 201, Set.of()), List.of(small, exact, big));
    assertEquals(Optional.of("c:1"), more.chosen(), more.toString());
    assertTrue(byNode(more).get("b:1").verdict().contains("memory"));
  }

  @Test
  void noDeclaredMemoryIgnoresFreeMemory() {
    NodeLoad empty = new NodeLoad("a:1", 1, 0, 0, 1.0, 0, true);
    assertEquals(Optional.of("a:1"), policy.place(req("x:1"), List.of(empty)).chosen());
  }

  // ---- nothing to choose ------------------------------------------------------------------

  @Test
  void noNodesAtAll() {
    PlacementDecision d = policy.place(req("a:1"), List.of());
    assertEquals(Optional.empty(), d.chosen());
    assertEquals("no node has published its load yet", d.reason());
    assertTrue(d.candidates().isEmpty());
  }

  @Test
  void everyNodeDropped() {
    List<NodeLoad> nodes = List.of(
        node("a:1", 1, 0, 1.0),
        new NodeLoad("b:1", 1, 0, 0, 1.0, PLENTY, false),
        new NodeLoad("c:1", 1, 0, 0, 1.0, 10 * MB, true));
    PlacementDecision d = policy.place(new PlacementRequest("j", "home:1", 20, Set.of("a:1")), nodes);
    assertEquals(Optional.empty(), d.chosen());
    assertEquals("no node is fit", d.reason());
    Map<String, PlacementDecision.Candidate> c = byNode(d);
    assertEquals(Set.of("a:1", "b:1", "c:1"), c.keySet());
    assertTrue(c.get("a:1").verdict().startsWith("excluded"));
    assertEquals("does not accept guests", c.get("b:1").verdict());
    assertTrue(c.get("c:1").verdict().contains("memory"));
  }

  // ---- the explanation ----------------------------------------------------------------------

  @Test
  void everyCandidateAppearsOnceWithItsVerdictAndScore() {
    List<NodeLoad> nodes = List.of(
        node("a:1", 1, 2, 1.0),
        node("b:1", 2, 0, 1.5),
        node("c:1", 1, 0, 1.0),
        new NodeLoad("d:1", 1, 0, 0, 1.0, PLENTY, false),
        node("e:1", 1, 0, 8.0));
    PlacementDecision d =
        policy.place(new PlacementRequest("j", "a:1", 0, Set.of("e:1")), nodes);
    assertEquals(nodes.size(), d.candidates().size(), d.candidates().toString());
    Map<String, PlacementDecision.Candidate> c = byNode(d);
    assertEquals(Set.of("a:1", "b:1", "c:1", "d:1", "e:1"), c.keySet());
    assertEquals(Optional.of("b:1"), d.chosen()); // 1.5 beats c's 1.0 and a's 1/3
    assertEquals("chosen", c.get("b:1").verdict());
    assertEquals(1.5, c.get("b:1").score(), 0.0);
    assertEquals(1.0 / 3.0, c.get("a:1").score(), 1e-12);
    assertEquals(1.0, c.get("c:1").score(), 0.0);
    assertNotEquals("chosen", c.get("a:1").verdict());
    assertNotEquals("chosen", c.get("c:1").verdict());
    assertEquals(1, d.candidates().stream().filter(x -> x.verdict().equals("chosen")).count());
    assertTrue(c.get("e:1").verdict().startsWith("excluded"));
    assertEquals("does not accept guests", c.get("d:1").verdict());
    assertTrue(d.reason().contains("b:1") && d.reason().contains("1.500"), d.reason());
  }

  // ---- property -----------------------------------------------------------------------------

  /** With these speeds, scores are equal as rationals or far apart compared with the TIE. */
  private static final double[] SPEEDS = {0.5, 1.0, 1.5, 2.0, 3.0};

  @Test
  void randomClustersChooseAFitNodeWithTheHighestScore() {
    long seed = new Random().nextLong();
    SplittableRandom rnd = new SplittableRandom(seed);
    int placed = 0;
    int allFull = 0;
    for (int round = 0; round < 500; round++) {
      int n = rnd.nextInt(0, 9);
      List<NodeLoad> nodes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        nodes.add(new NodeLoad("n" + rnd.nextInt(0, 100) + ":" + i, rnd.nextInt(1, 9),
            rnd.nextInt(0, 21), rnd.nextInt(0, 4), SPEEDS[rnd.nextInt(SPEEDS.length)],
            rnd.nextLong(0, 4_096) * MB, rnd.nextInt(4) != 0));
      }
      Set<String> excluded = new HashSet<>();
      for (NodeLoad x : nodes) {
        if (rnd.nextInt(5) == 0) {
          excluded.add(x.node());
        }
      }
      String home = n > 0 && rnd.nextBoolean() ? nodes.get(rnd.nextInt(n)).node() : "home:0";
      long memoryMb = rnd.nextBoolean() ? 0 : rnd.nextLong(1, 4_096);
      PlacementRequest request = new PlacementRequest("job-" + round, home, memoryMb, excluded);
      String ctx = "seed " + seed + ", round " + round + ", request " + request + ", nodes " + nodes;

      PlacementDecision d = policy.place(request, nodes);

      List<NodeLoad> fit = new ArrayList<>();
      for (NodeLoad x : nodes) {
        boolean memoryShort = memoryMb > 0 && x.freeMemoryBytes() < memoryMb * MB;
        boolean guestRefused = !x.acceptingGuests() && !x.node().equals(home);
        if (!excluded.contains(x.node()) && !memoryShort && !guestRefused) {
          fit.add(x);
        }
      }
      Map<String, PlacementDecision.Candidate> c = byNode(d);
      assertEquals(nodes.size(), d.candidates().size(), ctx);
      for (PlacementDecision.Candidate x : d.candidates()) {
        boolean isFit = fit.stream().anyMatch(f -> f.node().equals(x.node()));
        assertEquals(!isFit, Double.isNaN(x.score()), ctx + ", candidate " + x);
      }
      if (fit.isEmpty()) {
        assertEquals(Optional.empty(), d.chosen(), ctx);
        continue;
      }
      placed++;
      assertTrue(d.chosen().isPresent(), ctx);
      String chosenName = d.chosen().get();
      NodeLoad chosen = fit.stream().filter(x -> x.node().equals(chosenName)).findFirst()
          .orElseThrow(() -> new AssertionError("chose an unfit node " + chosenName + "; " + ctx));
      assertFalse(excluded.contains(chosenName), ctx);
      assertTrue(memoryMb == 0 || chosen.freeMemoryBytes() >= memoryMb * MB, ctx);
      assertTrue(chosen.acceptingGuests() || chosenName.equals(home), ctx);
      assertEquals("chosen", c.get(chosenName).verdict(), ctx);

      double top = -1;
      for (NodeLoad x : fit) {
        top = Math.max(top, x.speedWithOneMore());
        assertEquals(x.speedWithOneMore(), c.get(x.node()).score(), 0.0, ctx);
      }
      assertTrue(chosen.speedWithOneMore() >= top - LeastLoadPolicy.TIE,
          ctx + ": chose " + chosen + " but the best score is " + top);
      // ties: among the equally fast, the home, else the smallest name
      double best = top;
      List<String> tied = fit.stream()
          .filter(x -> Math.abs(x.speedWithOneMore() - best) < LeastLoadPolicy.TIE)
          .map(NodeLoad::node).sorted().toList();
      String want = tied.contains(home) ? home : tied.get(0);
      assertEquals(want, chosenName, ctx + ", tied " + tied);
      // when no fit node has a free slot, this is plain least normalized load
      if (fit.stream().allMatch(x -> x.runnable() + x.recentPlacements() >= x.slots())) {
        allFull++;
        for (NodeLoad x : fit) {
          assertTrue(chosen.loadWithOneMore() <= x.loadWithOneMore() * (1 + 1e-9),
              ctx + ": " + chosen + " is more loaded than " + x);
        }
      }
      // the order of the nodes does not matter: decisions replay exactly
      List<NodeLoad> shuffled = new ArrayList<>(nodes);
      Collections.shuffle(shuffled, new Random(rnd.nextLong()));
      assertEquals(d.chosen(), policy.place(request, shuffled).chosen(), ctx + ", shuffled");
    }
    assertTrue(placed > 100, "seed " + seed + ": too few fit clusters: " + placed);
    assertTrue(allFull > 20, "seed " + seed + ": too few clusters of full nodes: " + allFull);
  }

  private static <T> List<T> reversed(List<T> l) {
    List<T> r = new ArrayList<>(l);
    Collections.reverse(r);
    return r;
  }
}
