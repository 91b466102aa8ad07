package io.drift.node.client;

import io.drift.api.DriftException;
import io.drift.api.JobId;
import io.drift.home.HomeProxy;
import io.drift.node.Gateway;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The one actor of a {@link DriftClient} that hears the answers to all its submissions and the
 * events of all its jobs, by job id, and watches the connected node's gateway once for all of
 * them. One actor, not one per job: a new actor's reference is parsed anew by every node it
 * travels to, and a per-job ask, follower and subscription cost the client a third of its CPU
 * per placement. The client chooses each job's id, so events that overtake the answer to the
 * submission still find their handle.
 */
final class ClientInbox {
  private ClientInbox() {}

  /** A job this client submitted: its handle, and the node's answer to the submission. */
  record Job(RemoteJobHandle<?> handle, CompletableFuture<Gateway.SubmitReply> answer) {}

  private record GatewayGone() {}

  /**
   * @param gateway the connected node's gateway: home of every job this client submits
   * @param jobs shared with the client, which adds each job before it submits it; a job leaves
   *     once it has both its answer and its end
   */
  static Behavior<Object> create(ActorRef<?> gateway, Map<JobId, Job> jobs) {
    return Behaviors.setup(ctx -> {
      ctx.watchWith(gateway, new GatewayGone());
      return Behaviors.receive(Object.class)
          .onMessage(Gateway.Submitted.class, s -> {
            Job j = jobs.get(s.jobId());
            if (j != null) {
              j.handle().submitted(s.home(), s.homeNode());
              j.answer().complete(s);
              if (j.handle().isDone()) { // its end overtook the answer
                jobs.remove(s.jobId());
              }
            }
            return Behaviors.same();
          })
          .onMessage(Gateway.Rejected.class, r -> {
            Job j = r.jobId() == null ? null : jobs.remove(r.jobId());
            if (j != null) {
              j.answer().complete(r);
            } else {
              ctx.getLog().debug("a refusal for no submission of ours: {}", r.reason());
            }
            return Behaviors.same();
          })
          .onMessage(HomeProxy.Output.class, o -> {
            Job j = jobs.get(o.jobId());
            if (j != null) {
              j.handle().output(o.lines());
            }
            return Behaviors.same();
          })
          .onMessage(HomeProxy.Update.class, u -> {
            Job j = jobs.get(u.info().id());
            if (j != null) {
              j.handle().update(u.info());
            }
            return Behaviors.same();
          })
          .onMessage(HomeProxy.Completed.class, c -> {
            Job j = jobs.get(c.info().id());
            if (j != null) {
              j.handle().completed(c.info(), c.result());
              if (j.answer().isDone()) {
                jobs.remove(c.info().id());
              }
            }
            return Behaviors.same();
          })
          .onMessage(GatewayGone.class, g -> {
            endAll(jobs, "node " + gateway.path().address() + " is gone before it answered the"
                + " submission", RemoteJobHandle::homeLost);
            return Behaviors.same();
          })
          .onSignal(PostStop.class, s -> {
            // the client is closing: nobody may wait forever
            endAll(jobs, "the client was closed before its submission was answered",
                RemoteJobHandle::abandoned);
            return Behaviors.same();
          })
          .build();
    });
  }

  /** Fails every open submission with {@code why} and ends every open job by {@code end}. */
  private static void endAll(Map<JobId, Job> jobs, String why,
      Consumer<RemoteJobHandle<?>> end) {
    for (Job j : jobs.values()) {
      j.answer().completeExceptionally(new DriftException(why));
      if (!j.handle().isDone()) {
        end.accept(j.handle());
      }
    }
    jobs.clear();
  }
}
