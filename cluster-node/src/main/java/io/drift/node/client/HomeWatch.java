package io.drift.node.client;

import io.drift.node.NodeGuardian;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One remote watch per home node for all of a client's jobs, instead of one per job. A watch is
 * a pair of system messages each way, acknowledged one by one; 100,000 jobs in flight from one
 * client overflowed Artery's system-message buffer and the client quarantined the node. Each
 * follower registers here with an actor that lives as long as its home node (the node's
 * gateway, or the job's home itself when no such actor is known) and hears if that node goes.
 */
final class HomeWatch {
  private HomeWatch() {}

  sealed interface Command {}

  /** Follow {@code follower}'s job, whose home node is {@code anchor}'s. */
  record Register(ActorRef<?> anchor, ActorRef<HomeLost> follower) implements Command {}

  record Unregister(ActorRef<?> anchor, ActorRef<HomeLost> follower) implements Command {}

  /** Told to every follower of a node that is gone. */
  record HomeLost() {}

  private record Gone(ActorRef<?> anchor) implements Command {}

  static Behavior<Command> create() {
    return Behaviors.setup(ctx -> {
      // by anchor, not by address: an anchor that is a job's home stops when the job is
      // forgotten, and must not take the other jobs of its node with it
      Map<ActorRef<?>, Set<ActorRef<HomeLost>>> followers = new HashMap<>();
      return Behaviors.receive(Command.class)
          .onMessage(Register.class, r -> {
            Set<ActorRef<HomeLost>> set = followers.get(r.anchor());
            if (set == null) {
              set = new HashSet<>();
              followers.put(r.anchor(), set);
              ctx.watchWith(r.anchor(), new Gone(r.anchor()));
            }
            set.add(r.follower());
            return Behaviors.same();
          })
          .onMessage(Unregister.class, u -> {
            Set<ActorRef<HomeLost>> set = followers.get(u.anchor());
            if (set != null) {
              set.remove(u.follower());
              boolean gateway = u.anchor().path().name().equals(NodeGuardian.GATEWAY);
              if (set.isEmpty() && !gateway) {
                followers.remove(u.anchor()); // a job's own home: unwatched with its job
                ctx.unwatch(u.anchor());
              }
            }
            return Behaviors.same();
          })
          .onMessage(Gone.class, g -> {
            Set<ActorRef<HomeLost>> set = followers.remove(g.anchor());
            if (set != null) {
              set.forEach(f -> f.tell(new HomeLost()));
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
