package io.drift.node.cli;

import io.drift.api.JobInfo;
import io.drift.node.client.DriftClient;
import io.drift.node.http.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ps", mixinStandardHelpOptions = true,
    description = {"List jobs (MOSIX: mosps): those homed at the node (--node), or at every"
        + " node (--all), with where each runs now and how often it moved.",
        "Columns: JOB, NAME, HOME (where it was submitted), WHERE (where it runs now), STATE,"
            + " MIGS (moves), CPU (seconds, over every host), PROGRESS, AGE (since submission);"
            + " in a grid of several clusters, CLUSTER too: the cluster of its home."})
final class PsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeOption target;

  @Option(names = {"-a", "--all"}, description = "the jobs of every node of the cluster")
  boolean all;

  @Option(names = "--json", description = "print JSON instead of a table")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Logs.init("ERROR", "WARN"); // Artery logs harmless WARNs as a client disconnects
    List<JobInfo> jobs = new ArrayList<>();
    java.util.Map<String, String> clusters;
    try (DriftClient client = target.connect()) {
      io.drift.node.Gateway.Members members = client.members().toCompletableFuture().join();
      clusters = members.clusters();
      if (all) {
        for (String node : members.up()) {
          jobs.addAll(client.jobsAt(node).toCompletableFuture().join());
        }
        jobs.sort(Comparator.comparing(JobInfo::home)
            .thenComparingLong(JobInfo::submittedAtMillis));
      } else {
        jobs.addAll(client.jobs().toCompletableFuture().join());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.mapper().writeValueAsString(jobs));
      return ExitCodes.OK;
    }
    out.println(table(jobs, System.currentTimeMillis(), clusters));
    return ExitCodes.OK;
  }

  static String table(List<JobInfo> jobs, long nowMillis) {
    return table(jobs, nowMillis, java.util.Map.of());
  }

  /** Pekko's data center when none is named: a cluster outside any grid. */
  static final String DEFAULT_CLUSTER = "default";

  /** {@code clusters}: each node's cluster; a CLUSTER column when any is named (a grid). */
  static String table(List<JobInfo> jobs, long nowMillis, java.util.Map<String, String> clusters) {
    boolean grid = clusters.values().stream().anyMatch(c -> !DEFAULT_CLUSTER.equals(c));
    StringBuilder b = new StringBuilder(String.format("%-12s %-14s %s%-21s %-21s %-9s %4s %9s"
        + " %8s %7s", "JOB", "NAME", grid ? String.format("%-10s ", "CLUSTER") : "", "HOME",
        "WHERE", "STATE", "MIGS", "CPU", "PROGRESS", "AGE"));
    for (JobInfo j : jobs) {
      b.append('\n').append(String.format("%-12s %-14.14s %s%-21s %-21s %-9s %4d %8.1fs %7.0f%%"
              + " %6ds", j.id(), j.name(), grid ? String.format("%-10.10s ",
                  clusters.getOrDefault(j.home(), "?")) : "", j.home(),
          j.host().isEmpty() ? "-" : j.host(),
          j.state(), j.migrations(), j.cpuNanos() / 1e9, j.progress() * 100,
          (nowMillis - j.submittedAtMillis()) / 1000));
    }
    return b.toString();
  }
}
