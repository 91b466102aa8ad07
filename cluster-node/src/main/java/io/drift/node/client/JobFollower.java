package io.drift.node.client;

import io.drift.home.HomeProxy;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Subscribes to one job's home in a client and feeds the job's handle until the job ends. */
final class JobFollower {
  private JobFollower() {}

  static Behavior<HomeProxy.JobEvent> create(ActorRef<HomeProxy.Command> home,
      RemoteJobHandle<?> handle) {
    return Behaviors.setup(ctx -> {
      home.tell(new HomeProxy.Subscribe(ctx.getSelf()));
      ctx.watch(home);
      return Behaviors.receive(HomeProxy.JobEvent.class)
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
          .onSignal(Terminated.class, t -> {
            if (!handle.isDone()) {
              handle.homeLost();
            }
            return Behaviors.stopped();
          })
          .onSignal(PostStop.class, s -> {
            if (!handle.isDone()) {
              handle.abandoned(); // the client is closing: nobody may wait forever
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
