package io.drift.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The cluster's membership, as Pekko Management HTTP's /cluster/members gives it. */
@Command(name = "members", mixinStandardHelpOptions = true,
    description = "The cluster's members as one node sees them (Pekko Management HTTP"
        + " /cluster/members): each node's status and roles, the leader and the oldest, and"
        + " which are unreachable.")
final class MembersCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin Http http;

  @Option(names = "--json", description = "print the node's JSON answer as it is")
  boolean json;

  @Override
  public Integer call() {
    Http.Answer a = http.get("/cluster/members");
    PrintWriter out = spec.commandLine().getOut();
    if (!a.ok() || a.json() == null) {
      spec.commandLine().getErr().println("drift members: " + a.status() + " " + a.error());
      return a.ok() ? ExitCodes.UNAVAILABLE : Http.exitCode(a.status());
    }
    if (json) {
      out.println(a.body());
      return ExitCodes.OK;
    }
    JsonNode m = a.json();
    out.printf("%-42s %-8s %s%n", "NODE", "STATUS", "ROLES");
    for (JsonNode n : m.path("members")) {
      StringBuilder roles = new StringBuilder();
      for (JsonNode r : n.path("roles")) {
        roles.append(roles.length() == 0 ? "" : ",").append(r.asText());
      }
      out.printf("%-42s %-8s %s%n", n.path("node").asText(), n.path("status").asText(), roles);
    }
    out.println("leader: " + m.path("leader").asText("-") + ", oldest: "
        + m.path("oldest").asText("-") + ", seen from " + m.path("selfNode").asText());
    if (m.path("unreachable").size() > 0) {
      out.println("unreachable: " + m.path("unreachable"));
    }
    return ExitCodes.OK;
  }
}
