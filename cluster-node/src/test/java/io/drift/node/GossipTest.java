package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.balancer.Balancer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * The balancers' gossip between real nodes: with Distributed Data kept out of the window, every
 * node still comes to know every other, through one message per interval carrying W entries.
 */
class GossipTest {

  static Balancer.Nodes nodes(LocalCluster c, int i) throws Exception {
    return AskPattern.<Balancer.Command, Balancer.Nodes>ask(c.node(i).refs().balancer(),
            Balancer.GetNodes::new, Duration.ofSeconds(3), c.node(i).system().scheduler())
        .toCompletableFuture().get(4, TimeUnit.SECONDS);
  }

  @Test
  void everyNodeLearnsOfEveryOtherByGossipAlone() {
    Map<String, Object> gossipOnly = Map.of("drift.balancer.gossip.from-distributed-data", "off",
        "drift.balancer.gossip.interval", "100ms", "drift.balancer.gossip.window", "1",
        "drift.balancer.gossip.max-age", "50");
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1, 1, 1), gossipOnly)) {
      ActorTestKit kit = ActorTestKit.create(c.node(0).system());
      for (int i = 0; i < 4; i++) {
        int node = i;
        kit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
          Balancer.Nodes known = nodes(c, node);
          assertEquals(4, known.nodes().size());
          for (Balancer.NodeStatus s : known.nodes()) {
            // W = 1 with 4 nodes: news of a node reaches the others second hand too
            assertTrue(s.gossipAge() >= 0 && s.gossipAge() < 50,
                "node " + node + " knows " + s.sample().node() + " by gossip: " + known);
          }
          return null;
        });
      }
    }
  }
}
