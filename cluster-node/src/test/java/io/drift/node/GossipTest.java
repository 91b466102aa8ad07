package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.balancer.Balancer;
import io.drift.balancer.BalancerWire;
import io.drift.balancer.NodeNames;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;
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

  static Balancer.PlaceReply place(LocalCluster c, Map<String, Integer> observed)
      throws Exception {
    return AskPattern.<Balancer.Command, Balancer.PlaceReply>ask(c.node(0).refs().balancer(),
            r -> new Balancer.Place(JobId.random(), 0, Set.of(), observed, r),
            Duration.ofSeconds(3), c.node(0).system().scheduler())
        .toCompletableFuture().get(4, TimeUnit.SECONDS);
  }

  @Test
  void aPlacementScoresANodeThatRefusedWithTheRunQueueItGave() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1))) {
      String home = NodeNames.of(Cluster.get(c.node(0).system()).selfMember().address());
      String peer = NodeNames.of(Cluster.get(c.node(1).system()).selfMember().address());
      ActorTestKit kit = ActorTestKit.create(c.node(0).system());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
        assertEquals(2, nodes(c, 0).nodes().size());
        return null;
      });
      // both idle: the tie goes home
      Balancer.Placed idle = assertInstanceOf(Balancer.Placed.class, place(c, Map.of()));
      assertEquals(home, idle.node());
      assertEquals(0, idle.believedRunQueue());
      // home refused, running 5: the idle peer wins, believed idle
      Balancer.Placed away = assertInstanceOf(Balancer.Placed.class,
          place(c, Map.of(home, 5)));
      assertEquals(peer, away.node());
      assertEquals(0, away.believedRunQueue());
      // the peer refused too, busier still: home again, believed to run 5
      Balancer.Placed back = assertInstanceOf(Balancer.Placed.class,
          place(c, Map.of(home, 5, peer, 7)));
      assertEquals(home, back.node());
      assertEquals(5, back.believedRunQueue());
    }
  }

  @Test
  void aNodeReservesPlacesForMovesOnItsTrueStateAndIsNotFlooded() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1))) {
      ActorTestKit kit = ActorTestKit.create(c.node(0).system());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
        assertEquals(2, nodes(c, 1).nodes().size());
        return null;
      });
      String target = NodeNames.of(Cluster.get(c.node(1).system()).selfMember().address());
      ActorRef<BalancerWire> peer = ActorRefResolver.get(c.node(0).system()).resolveActorRef(
          Cluster.get(c.node(1).system()).selfMember().address() + "/user/"
              + Balancer.GOSSIP_NAME);
      TestProbe<Balancer.MoveReservation> answers = kit.createTestProbe();
      // a sender with 4 units on its one slot of speed 1: the idle target takes one unit
      peer.tell(new Balancer.ReserveMove("u1", "elsewhere", "load", 4, 1, 1, 0, answers.ref()));
      Balancer.MoveReservation first = answers.receiveMessage(Duration.ofSeconds(5));
      assertTrue(first.granted(), first.reason());
      assertEquals(target, first.node());
      // its one slot is promised: a second unit is refused, however loaded the sender
      peer.tell(new Balancer.ReserveMove("u2", "elsewhere", "load", 9, 1, 1, 0, answers.ref()));
      Balancer.MoveReservation second = answers.receiveMessage(Duration.ofSeconds(5));
      assertFalse(second.granted());
      assertTrue(second.reason().contains("1 coming"), second.reason());
      // the first unit will not come after all (its home refused): the slot is free at once
      peer.tell(new Balancer.ReleaseMove("u1"));
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(5), Duration.ofMillis(100), () -> {
        peer.tell(new Balancer.ReserveMove("u2", "elsewhere", "load", 9, 1, 1, 0,
            answers.ref()));
        Balancer.MoveReservation again = answers.receiveMessage(Duration.ofSeconds(5));
        assertTrue(again.granted(), again.reason());
        return null;
      });
      // at the other, idle node: a sender with one unit on its slot gains nothing by the move
      ActorRef<BalancerWire> idle = ActorRefResolver.get(c.node(0).system()).resolveActorRef(
          Cluster.get(c.node(0).system()).selfMember().address() + "/user/"
              + Balancer.GOSSIP_NAME);
      idle.tell(new Balancer.ReserveMove("u3", "elsewhere", "load", 1, 1, 1, 0, answers.ref()));
      Balancer.MoveReservation third = answers.receiveMessage(Duration.ofSeconds(5));
      assertFalse(third.granted());
      assertTrue(third.reason().contains("0 coming"), third.reason());
      // but memory ushering only needs room
      idle.tell(new Balancer.ReserveMove("u4", "elsewhere", "memory", 1, 1, 1, 0, answers.ref()));
      assertTrue(answers.receiveMessage(Duration.ofSeconds(5)).granted());
    }
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
