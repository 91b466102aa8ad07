package io.drift.node.http;

import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.node.ControlActor;
import io.drift.node.DriftNode;
import io.drift.node.Gateway;
import io.drift.node.NodeGuardian;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The other nodes' gateways and control actors, as this node's HTTP routes reach them: the
 * cluster-wide views (all jobs, why) and the dashboard's verbs on any node.
 */
final class RemoteNodes {
  private final ActorSystem<?> system;
  private final String self;
  private final Duration timeout;
  private final ConcurrentHashMap<String, ActorRef<Gateway.Command>> gateways =
      new ConcurrentHashMap<>();

  RemoteNodes(ActorSystem<?> system, String self, Duration timeout) {
    this.system = system;
    this.self = self;
    this.timeout = timeout;
  }

  /** Nodes that are Up and reachable, as this node sees them. */
  CompletionStage<List<String>> upMembers() {
    return gateway(self).thenCompose(g -> AskPattern.<Gateway.Command, Gateway.Members>ask(g,
        Gateway.GetMembers::new, timeout, system.scheduler())).thenApply(Gateway.Members::up);
  }

  CompletionStage<ActorRef<Gateway.Command>> gateway(String node) {
    ActorRef<Gateway.Command> known = gateways.get(node);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return this.<Gateway.Command>resolve(node, NodeGuardian.GATEWAY).thenApply(g -> {
      gateways.put(node, g);
      return g;
    });
  }

  CompletionStage<ActorRef<ControlActor.Run>> control(String node) {
    return resolve(node, ControlActor.NAME);
  }

  /** Every job homed at {@code node}, page by page. */
  CompletionStage<List<JobInfo>> jobs(String node) {
    return gateway(node).thenCompose(g -> page(g, 0, new ArrayList<>()));
  }

  private CompletionStage<List<JobInfo>> page(ActorRef<Gateway.Command> g, int from,
      List<JobInfo> acc) {
    return AskPattern.<Gateway.Command, HomeManager.JobList>ask(g,
        r -> new Gateway.ListJobs(from, r), timeout, system.scheduler()).thenCompose(p -> {
          acc.addAll(p.jobs());
          int next = from + p.jobs().size();
          return p.jobs().isEmpty() || next >= p.total()
              ? CompletableFuture.completedFuture(acc) : page(g, next, acc);
        });
  }

  CompletionStage<Balancer.Decisions> decisions(String node, JobId job) {
    return gateway(node).thenCompose(g -> AskPattern.<Gateway.Command, Balancer.Decisions>ask(
        g, r -> new Gateway.GetDecisions(job.value(), r), timeout, system.scheduler()));
  }

  private <T> CompletionStage<ActorRef<T>> resolve(String node, String name) {
    if (!node.matches("[^:/\\s]+:\\d{1,5}")) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "a node is host:port, not " + node));
    }
    String path = "pekko://" + DriftNode.SYSTEM_NAME + "@" + node + "/user/" + name;
    return Adapter.toClassic(system).actorSelection(path).resolveOne(timeout)
        .thenApply(Adapter::<T>toTyped);
  }
}
