package io.drift.node.cli;

import io.drift.api.JobInfo;
import io.drift.node.client.DriftClient;
import io.drift.node.http.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ps", mixinStandardHelpOptions = true,
    description = "List the jobs whose home is the node (MOSIX: mosps).")
final class PsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeOption target;

  @Option(names = "--json", description = "print JSON instead of a table")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Logs.init("ERROR", "WARN"); // Artery logs harmless WARNs as a client disconnects
    List<JobInfo> jobs;
    try (DriftClient client = DriftClient.connect(target.node)) {
      jobs = client.jobs().toCompletableFuture().join();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.mapper().writeValueAsString(jobs));
      return ExitCodes.OK;
    }
    out.println(table(jobs, System.currentTimeMillis()));
    return ExitCodes.OK;
  }

  static String table(List<JobInfo> jobs, long nowMillis) {
    StringBuilder b = new StringBuilder(String.format("%-12s %-14s %-21s %-21s %-9s %9s %8s %7s",
        "JOB", "NAME", "HOME", "WHERE", "STATE", "CPU", "PROGRESS", "AGE"));
    for (JobInfo j : jobs) {
      b.append('\n').append(String.format("%-12s %-14.14s %-21s %-21s %-9s %8.1fs %7.0f%% %6ds",
          j.id(), j.name(), j.home(), j.host().isEmpty() ? "-" : j.host(), j.state(),
          j.cpuNanos() / 1e9, j.progress() * 100, (nowMillis - j.submittedAtMillis()) / 1000));
    }
    return b.toString();
  }
}
