package io.drift.node.client;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
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

  record Unregister(Address node, ActorRef<HomeLost> follower) implements Command {}

  /** Told to every follower of a node that is gone. */
  record HomeLost() {}

  private record Gone(Address node) implements Command {}

  static Behavior<Command> create() {
    return Behaviors.setup(ctx -> {
      Map<Address, Set<ActorRef<HomeLost>>> followers = new HashMap<>();
      return Behaviors.receive(Command.class)
          .onMessage(Register.class, r -> {
            Address node = r.anchor().path().address();
            Set<ActorRef<HomeLost>> set = followers.get(node);
            if (set == null) {
              set = new HashSet<>();
              followers.put(node, set);
              ctx.watchWith(r.anchor(), new Gone(node));
            }
            set.add(r.follower());
            return Behaviors.same();
          })
          .onMessage(Unregister.class, u -> {
            Set<ActorRef<HomeLost>> set = followers.get(u.node());
            if (set != null) {
              set.remove(u.follower());
            }
            return Behaviors.same();
          })
          .onMessage(Gone.class, g -> {
            Set<ActorRef<HomeLost>> set = followers.remove(g.node());
            if (set != null) {
              set.forEach(f -> f.tell(new HomeLost()));
            }
            return Behaviors.same();
          })
          .build();
    });
  }
}
