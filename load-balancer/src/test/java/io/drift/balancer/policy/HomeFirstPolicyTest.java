package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Home first while it has a free slot (MOSIX -h), opportunity cost otherwise. */
class HomeFirstPolicyTest {

  static final long GIB = 1L << 30;
  final HomeFirstPolicy policy =
      new HomeFirstPolicy(new OpportunityCostPolicy(PolicyConfig.defaults()));

  static NodeLoad node(String name, double speed, int runnable, int recent) {
    return new NodeLoad(name, 2, runnable, recent, speed, 6 * GIB, true, 8 * GIB);
  }

  PlacementDecision place(String home, long memoryMb, Set<String> excluded, NodeLoad... nodes) {
    return policy.place(new PlacementRequest("j", home, memoryMb, excluded), List.of(nodes));
  }

  @Test
  void aFreeSlotAtHomeWinsOverAFasterIdleNode() {
    PlacementDecision d = place("home", 0, Set.of(), node("fast", 4, 0, 0),
        node("home", 1, 1, 0));
    assertEquals("home", d.chosen().orElseThrow());
    assertTrue(d.reason().contains("free slot at home (1 of 2 taken)"), d.reason());
  }

  @Test
  void placementsNotYetAdmittedFillTheHomeToo() {
    // one running and one on its way: the home is full, so the cost rule picks
    assertEquals("fast", place("home", 0, Set.of(), node("fast", 4, 0, 0),
        node("home", 1, 1, 1)).chosen().orElseThrow());
  }

  @Test
  void aFullHomeLeavesTheJobToTheCostRule() {
    PlacementDecision d = place("home", 0, Set.of(), node("mid", 2, 0, 0),
        node("home", 4, 2, 0));
    assertEquals("mid", d.chosen().orElseThrow());
    assertTrue(d.reason().startsWith("least opportunity cost"), d.reason());
  }

  @Test
  void aHomeThatRefusedTheJobOrLacksItsMemoryIsNotForced() {
    assertEquals("other", place("home", 0, Set.of("home"), node("other", 1, 0, 0),
        node("home", 4, 0, 0)).chosen().orElseThrow());
    NodeLoad tight = new NodeLoad("home", 2, 0, 0, 4, GIB, true, 8 * GIB);
    assertEquals("other", place("home", 1024, Set.of(), node("other", 1, 0, 0), tight)
        .chosen().orElseThrow());
  }

  @Test
  void aHomeThatHasNotPublishedItsLoadIsNotAssumedFree() {
    // the home is not among the candidates: nothing is known of its slots
    assertEquals("other", place("home", 0, Set.of(), node("other", 1, 0, 0))
        .chosen().orElseThrow());
  }
}
