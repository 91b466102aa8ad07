package io.drift.node;

import io.drift.api.JobInfo;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.migration.executor.Executor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

/**
 * Leaving without loss (MOSIX: a node's guests go home before it goes). First every unit here
 * moves away, its home choosing where (guests and this node's own units alike); then the node
 * waits until it is home to no unfinished job, since a job's deputy lives at its home; then it
 * leaves the cluster. Without {@code force} a node still home to unfinished jobs when the time
 * is up stays, and says which; with it, those jobs are cancelled, saying why, and it leaves.
 */
public final class Drainer {
  private Drainer() {}

  /**
   * @param left whether the node left the cluster
   * @param unitsMoved units that were here when the drain began and are gone (moved away, or
   *     ended meanwhile)
   * @param unitsLeft units that could not be moved away (the node stays)
   * @param notes why units stayed
   * @param homedJobs unfinished jobs homed here when the time was up (cancelled with force)
   */
  public record Result(boolean left, int unitsMoved, int unitsLeft, List<String> notes,
      List<String> homedJobs, long millis) {}

  static final Duration ASK = Duration.ofSeconds(10);

  public static CompletionStage<Result> drain(DriftNode node, Duration within, boolean force) {
    return drain(node.system(), node.refs(), within, force);
  }

  public static CompletionStage<Result> drain(ActorSystem<?> system, NodeRefs refs,
      Duration within, boolean force) {
    // it waits on asks and polls: on the dispatcher meant for blocking
    return CompletableFuture.supplyAsync(() -> {
      try {
        return run(new Node(system, refs), within, force);
      } catch (Exception e) {
        throw new IllegalStateException("drain of " + refs.selfNode() + " failed: " + e, e);
      }
    }, system.dispatchers().lookup(
        org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
  }

  private record Node(ActorSystem<?> system, NodeRefs refs) {
    String selfNode() {
      return refs.selfNode();
    }
  }

  private static Result run(Node node, Duration within, boolean force) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + within.toNanos();
    int units = AskPattern.<Executor.Command, Executor.Units>ask(node.refs().executor(),
            Executor.GetUnits::new, ASK, node.system().scheduler())
        .toCompletableFuture().get(ASK.toMillis() + 1000, TimeUnit.MILLISECONDS).units().size();
    Executor.Drained drained = AskPattern.<Executor.Command, Executor.Drained>ask(
            node.refs().executor(), r -> new Executor.Drain(within, r), within.plus(ASK),
            node.system().scheduler())
        .toCompletableFuture().get(within.plus(ASK).toMillis(), TimeUnit.MILLISECONDS);
    if (drained.left() > 0) {
      return new Result(false, units - drained.left(), drained.left(), drained.notes(),
          List.of(), elapsed(t0));
    }
    List<JobInfo> homed = unfinished(node);
    while (!homed.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200); // bounded by the deadline: a job's end is not announced here
      homed = unfinished(node);
    }
    List<String> ids = homed.stream().map(j -> j.id().value()).toList();
    if (!homed.isEmpty() && !force) {
      return new Result(false, units, 0, List.of(), ids, elapsed(t0));
    }
    for (JobInfo j : homed) {
      HomeManager.JobLookup l = AskPattern.<HomeManager.Command, HomeManager.JobLookup>ask(
              node.refs().homes(), r -> new HomeManager.GetHome(j.id(), r), ASK,
              node.system().scheduler())
          .toCompletableFuture().get(ASK.toMillis() + 1000, TimeUnit.MILLISECONDS);
      if (l.home() != null) {
        AskPattern.<HomeProxy.Command, HomeProxy.InfoReply>ask(l.home(),
                r -> new HomeProxy.Cancel("its home node " + node.selfNode()
                    + " was drained with --force", r), ASK, node.system().scheduler())
            .toCompletableFuture().get(ASK.toMillis() + 1000, TimeUnit.MILLISECONDS);
      }
    }
    Cluster cluster = Cluster.get(node.system());
    cluster.manager().tell(Leave.create(cluster.selfMember().address()));
    return new Result(true, units, 0, List.of(), ids, elapsed(t0));
  }

  /** Jobs homed here that have not ended, page by page. */
  private static List<JobInfo> unfinished(Node node) throws Exception {
    List<JobInfo> out = new ArrayList<>();
    int from = 0;
    while (true) {
      int start = from;
      HomeManager.JobList page = AskPattern.<HomeManager.Command, HomeManager.JobList>ask(
              node.refs().homes(), r -> new HomeManager.ListJobs(start, 20, r), ASK,
              node.system().scheduler())
          .toCompletableFuture().get(ASK.toMillis() + 1000, TimeUnit.MILLISECONDS);
      page.jobs().stream().filter(j -> !j.state().isFinal()).forEach(out::add);
      from += page.jobs().size();
      if (page.jobs().isEmpty() || from >= page.total()) {
        return out;
      }
    }
  }

  private static long elapsed(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
