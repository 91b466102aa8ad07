package io.drift.balancer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmarks' round-robin baseline: node after node, whatever their load. */
class RoundRobinPolicyTest {

  @Test
  void takesNodeAfterNodeInNameOrderSkippingThoseThatTakeNoGuests() {
    RoundRobinPolicy p = new RoundRobinPolicy();
    List<NodeLoad> nodes = List.of(new NodeLoad("c", 1, 9, 0, 1, 1, true),
        new NodeLoad("a", 1, 0, 0, 1, 1, true), new NodeLoad("b", 1, 0, 0, 1, 1, false));
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      chosen.add(p.place(new PlacementRequest("j" + i, "a", 0, Set.of()), nodes).chosen()
          .orElseThrow());
    }
    assertEquals(List.of("a", "c", "a", "c"), chosen);
    assertTrue(p.place(new PlacementRequest("j", "x", 0, Set.of("a", "c")), nodes).chosen()
        .isEmpty());
  }
}
