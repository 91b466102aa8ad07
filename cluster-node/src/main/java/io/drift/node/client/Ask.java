package io.drift.node.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/**
 * Pekko's javadsl ask, answered as a plain {@link CompletableFuture}. The stage Pekko returns is
 * Scala's converted Future, which runs every dependent stage, even thenApply, on the common
 * pool; with one or two cores that pool starts a new thread for each task: a thread per
 * submission, most of a client's CPU time. Here the answer completes on the thread that
 * received it, and dependent stages run there unless they ask for an executor.
 */
final class Ask {
  private Ask() {}

  static <Req, Res> CompletableFuture<Res> ask(RecipientRef<Req> target,
      Function<org.apache.pekko.actor.typed.ActorRef<Res>, Req> message, Duration timeout,
      Scheduler scheduler) {
    CompletableFuture<Res> out = new CompletableFuture<>();
    AskPattern.ask(target, message, timeout, scheduler).whenCompleteAsync((res, failure) -> {
      if (failure != null) {
        out.completeExceptionally(failure);
      } else {
        out.complete(res);
      }
    }, Runnable::run); // the *Async form with an executor is the one the converter keeps as is
    return out;
  }
}
