package io.drift.node.client;

import io.drift.node.NodeGuardian;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One watch per anchor: the followers of an anchor that stops hear that their home is lost,
 * and nobody else does.
 */
class HomeWatchTest {
  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static Behavior<String> idle() {
    return Behaviors.receiveMessage(m -> m.equals("stop") ? Behaviors.stopped() : Behaviors.same());
  }

  @Test
  void aJobsHomeThatStopsFailsOnlyItsOwnFollowers() {
    ActorRef<HomeWatch.Command> watch = KIT.spawn(HomeWatch.create());
    ActorRef<String> gateway = KIT.spawn(idle(), NodeGuardian.GATEWAY);
    ActorRef<String> jobHome = KIT.spawn(idle());
    TestProbe<HomeWatch.HomeLost> viaGateway1 = KIT.createTestProbe();
    TestProbe<HomeWatch.HomeLost> viaGateway2 = KIT.createTestProbe();
    TestProbe<HomeWatch.HomeLost> viaJobHome = KIT.createTestProbe();
    watch.tell(new HomeWatch.Register(gateway, viaGateway1.getRef()));
    watch.tell(new HomeWatch.Register(gateway, viaGateway2.getRef()));
    watch.tell(new HomeWatch.Register(jobHome, viaJobHome.getRef()));

    jobHome.tell("stop");
    viaJobHome.expectMessageClass(HomeWatch.HomeLost.class);
    // the same node's other jobs go on being followed
    viaGateway1.expectNoMessage(Duration.ofMillis(300));
    viaGateway2.expectNoMessage(Duration.ZERO);

    // a follower that left is not told; the one that stayed is
    watch.tell(new HomeWatch.Unregister(gateway, viaGateway1.getRef()));
    gateway.tell("stop");
    viaGateway2.expectMessageClass(HomeWatch.HomeLost.class);
    viaGateway1.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aJobsHomeWhoseLastFollowerLeftIsNoLongerWatched() {
    ActorRef<HomeWatch.Command> watch = KIT.spawn(HomeWatch.create());
    ActorRef<String> jobHome = KIT.spawn(idle());
    TestProbe<HomeWatch.HomeLost> first = KIT.createTestProbe();
    TestProbe<HomeWatch.HomeLost> later = KIT.createTestProbe();
    watch.tell(new HomeWatch.Register(jobHome, first.getRef()));
    watch.tell(new HomeWatch.Unregister(jobHome, first.getRef()));
    // registered anew after the unwatch: the watch is set up again, and the stop reaches it
    watch.tell(new HomeWatch.Register(jobHome, later.getRef()));
    jobHome.tell("stop");
    later.expectMessageClass(HomeWatch.HomeLost.class);
    first.expectNoMessage(Duration.ofMillis(300));
  }
}
