package io.drift.node.cli;

import io.drift.api.JobId;
import io.drift.balancer.Decision;
import io.drift.node.client.DriftClient;
import io.drift.node.http.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The balancers' recent decisions about one job, from every node, oldest first. */
@Command(name = "why", mixinStandardHelpOptions = true,
    description = {"Why a job is where it is: every node's recent balancing decisions about it"
        + " (where it was placed, each move asked for and what became of it, and the ticks that"
        + " left it be and named it), oldest first.",
        "Each node keeps its last drift.balancer.decisions-kept decisions."})
final class WhyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeOption target;

  @Parameters(index = "0", paramLabel = "JOB", description = "the job's id")
  String job;

  @Option(names = "--json", description = "print JSON instead of lines")
  boolean json;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  /** A decision and the node that took it. */
  record Taken(String node, Decision decision) {}

  @Override
  public Integer call() throws Exception {
    Logs.init("ERROR", "WARN");
    JobId id = JobId.of(job); // a malformed id is bad input, before any node is asked
    List<Taken> all = new ArrayList<>();
    try (DriftClient client = target.connect()) {
      for (String node : client.members().toCompletableFuture().join().up()) {
        for (Decision d : client.decisionsAt(node, id).toCompletableFuture().join().decisions()) {
          all.add(new Taken(node, d));
        }
      }
    }
    all.sort(Comparator.comparingLong(t -> t.decision().atMillis()));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Taken t : all) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", t.node());
        m.put("decision", t.decision());
        rows.add(m);
      }
      out.println(Json.mapper().writeValueAsString(rows));
      return ExitCodes.OK;
    }
    if (all.isEmpty()) {
      out.println("no node remembers a decision about job " + id + " (each keeps its last few"
          + " hundred; a job that ended long ago is forgotten)");
      return ExitCodes.OK;
    }
    for (Taken t : all) {
      Decision d = t.decision();
      out.printf("%s %-21s %-6s %s%s%n", TIME.format(Instant.ofEpochMilli(d.atMillis())),
          t.node(), d.kind(), d.target() == null ? "" : "-> " + d.target() + ": ",
          d.reason() + (d.outcome() == null ? "" : " [" + d.outcome() + "]"));
    }
    return ExitCodes.OK;
  }
}
