package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Initial placement by opportunity cost (MOSIX -b): each rule with a case that needs it. */
class OpportunityCostPolicyTest {

  static final long GIB = 1L << 30;
  final OpportunityCostPolicy policy = new OpportunityCostPolicy(PolicyConfig.defaults());

  static NodeLoad node(String name, double speed, int runnable) {
    return new NodeLoad(name, 2, runnable, 0, speed, 6 * GIB, true, 8 * GIB);
  }

  String place(String home, long memoryMb, Set<String> excluded, NodeLoad... nodes) {
    return policy.place(new PlacementRequest("j", home, memoryMb, excluded), List.of(nodes))
        .chosen().orElse("none");
  }

  @Test
  void aFreeSlotOnTheFastestNodeFirst() {
    assertEquals("fast", place("a", 0, Set.of(), node("slow", 1, 0), node("fast", 4, 1),
        node("mid", 2, 0)));
  }

  @Test
  void aFreeSlotOnASlowerNodeBeforeSharingAFullFastOne() {
    // sharing the full speed-4 node costs the newcomer and the two it slows: (2·2+1)/8 = 0.625;
    // a free slot at speed 2 costs 0.5
    assertEquals("mid", place("a", 0, Set.of(), node("fast", 4, 2), node("mid", 2, 1)));
  }

  @Test
  void onceAllAreBusyTheLoadIsSharedBySpeed() {
    // speed 4 with 6 units: (13)/8 = 1.625; speed 1 with 2: (5)/2 = 2.5
    assertEquals("fast", place("a", 0, Set.of(), node("fast", 4, 6), node("slow", 1, 2)));
    assertEquals("slow", place("a", 0, Set.of(), node("fast", 4, 10), node("slow", 1, 2)));
  }

  @Test
  void placementsNotYetSeenCount() {
    NodeLoad seen = new NodeLoad("fast", 2, 0, 2, 4, 6 * GIB, true, 8 * GIB);
    assertEquals("mid", place("a", 0, Set.of(), seen, node("mid", 2, 1)));
  }

  @Test
  void theHomeWinsTies() {
    assertEquals("b", place("b", 0, Set.of(), node("a", 2, 0), node("b", 2, 0)));
    assertEquals("a", place("c", 0, Set.of(), node("a", 2, 0), node("b", 2, 0)));
  }

  @Test
  void memoryWeighsInAndNoNodeGetsWhatItCannotHold() {
    NodeLoad tight = new NodeLoad("tight", 2, 0, 0, 4, GIB, true, 8 * GIB);
    assertEquals("roomy", place("a", 1024, Set.of(), tight, node("roomy", 1, 0)));
    // equal CPU, one nearly full of memory: the exponential cost sends the job to the other
    NodeLoad crowded = new NodeLoad("crowded", 2, 0, 0, 2, 2 * GIB, true, 8 * GIB);
    assertEquals("free", place("a", 512, Set.of(), crowded, node("free", 2, 0)));
    PlacementDecision none = policy.place(new PlacementRequest("j", "a", 1024, Set.of()),
        List.of(tight));
    assertTrue(none.chosen().isEmpty());
    assertTrue(none.candidates().get(0).verdict().contains("cannot hold"),
        none.candidates().toString());
  }

  @Test
  void excludedNodesAndNodesThatTakeNoGuestsAreDropped() {
    NodeLoad blocked = new NodeLoad("blocked", 2, 0, 0, 4, 6 * GIB, false, 8 * GIB);
    assertEquals("slow", place("a", 0, Set.of("fast"), node("fast", 4, 0), blocked,
        node("slow", 1, 0)));
    assertEquals("blocked", place("blocked", 0, Set.of(), blocked, node("slow", 1, 0)),
        "a node that takes no guests still runs its own jobs");
  }
}
