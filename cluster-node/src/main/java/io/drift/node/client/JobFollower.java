package io.drift.node.client;

import io.drift.home.HomeProxy;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Subscribes to one job's home in a client and feeds the job's handle until the job ends. */
final class JobFollower {
  private JobFollower() {}

  /**
   * @param anchor an actor that lives as long as the job's home node (its gateway), watched
   *     once for all the client's jobs there by {@code watch}
   */
  static Behavior<Object> create(ActorRef<HomeProxy.Command> home, ActorRef<?> anchor,
      ActorRef<HomeWatch.Command> watch, RemoteJobHandle<?> handle) {
    return Behaviors.<Object>setup(ctx -> {
      home.tell(new HomeProxy.Subscribe(ctx.getSelf().narrow()));
      // the anchor on the home's node, or the home itself if the job lives on another node
      ActorRef<?> watched = anchor.path().address().equals(home.path().address()) ? anchor : home;
      ActorRef<HomeWatch.HomeLost> self = ctx.getSelf().narrow();
      watch.tell(new HomeWatch.Register(watched, self));
      return Behaviors.receive(Object.class)
          .onMessage(HomeProxy.Output.class, o -> {
            handle.output(o.lines());
            return Behaviors.same();
          })
          .onMessage(HomeProxy.Update.class, u -> {
            handle.update(u.info());
            return Behaviors.same();
          })
          .onMessage(HomeProxy.Completed.class, c -> {
            handle.completed(c.info(), c.result());
            return Behaviors.stopped();
          })
          .onMessage(HomeWatch.HomeLost.class, t -> {
            if (!handle.isDone()) {
              handle.homeLost();
            }
            return Behaviors.stopped();
          })
          .onSignal(PostStop.class, s -> {
            watch.tell(new HomeWatch.Unregister(watched, self));
            if (!handle.isDone()) {
              handle.abandoned(); // the client is closing: nobody may wait forever
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
