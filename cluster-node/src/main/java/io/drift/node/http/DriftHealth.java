package io.drift.node.http;

import io.drift.node.ControlActor;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Drift's own health check for Pekko Management's {@code /ready} and {@code /alive}: the node's
 * actors have started and answer (its executor, balancer and home manager, through the control
 * actor's status) within a few seconds. Pekko's own checks (cluster membership) come beside it.
 */
public final class DriftHealth implements Supplier<CompletionStage<Boolean>> {

  private static final Duration ASK = Duration.ofSeconds(3);
  private final ActorSystem system;

  public DriftHealth(ActorSystem system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    org.apache.pekko.actor.typed.ActorSystem<?> typed = Adapter.toTyped(system);
    return system.actorSelection("/user/" + ControlActor.NAME).resolveOne(ASK)
        .thenCompose(classic -> {
          ActorRef<ControlActor.Run> control = Adapter.toTyped(classic);
          return AskPattern.<ControlActor.Run, ControlActor.Done>ask(control,
              r -> new ControlActor.Run("status", "1s", false, r), ASK, typed.scheduler());
        })
        .thenApply(d -> d.status() == 200)
        .exceptionally(e -> false); // not started yet, or not answering: not healthy
  }
}
