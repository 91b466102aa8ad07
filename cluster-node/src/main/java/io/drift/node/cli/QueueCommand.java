package io.drift.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The batch queue of one home node, over its management HTTP port (MOSIX: mosq). */
@Command(name = "q", mixinStandardHelpOptions = true,
    description = {"The batch queue of one node (MOSIX: mosq): jobs submitted there with"
        + " drift run --queue wait, holding no slot, until the grid has room by the gossip; then"
        + " they are placed in order (lower priority first, then the earlier).",
        "  drift q                     list the queue, next to be admitted first",
        "  drift q move JOB PRIORITY   give a queued job a new priority",
        "  drift q cancel JOB          cancel a queued job",
        "Exit code 0: done; 2: bad input (or the job is not queued); 3: the node could not be"
            + " reached."})
final class QueueCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin Http http;

  @Parameters(arity = "0..3", paramLabel = "ARGS", description = "move JOB PRIORITY, cancel JOB")
  List<String> args = new ArrayList<>();

  @Option(names = "--json", description = "print the node's JSON answer as it is")
  boolean json;

  @Override
  public Integer call() {
    Http.Answer a;
    String verb = args.isEmpty() ? "list" : args.get(0);
    switch (verb) {
      case "list" -> a = http.get("/drift/queue");
      case "move" -> {
        if (args.size() != 3) {
          return bad("drift q move JOB PRIORITY");
        }
        a = http.postJson("/drift/queue/" + enc(args.get(1)), Map.of("priority", args.get(2)),
            Duration.ofSeconds(30));
      }
      case "cancel" -> {
        if (args.size() != 2) {
          return bad("drift q cancel JOB");
        }
        a = http.post("/drift/jobs/" + enc(args.get(1)) + "/cancel", Duration.ofSeconds(30));
      }
      default -> {
        return bad("drift q, drift q move JOB PRIORITY or drift q cancel JOB; not " + verb);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (!a.ok()) {
      spec.commandLine().getErr().println("drift q " + verb + ": " + a.error());
      return Http.exitCode(a.status());
    }
    if (json || a.json() == null) {
      out.println(a.body());
    } else if (a.json().has("jobs")) {
      out.print(table(a.json()));
    } else {
      out.println(a.json().path("id").asText() + " " + a.json().path("state").asText());
    }
    return ExitCodes.OK;
  }

  static String table(JsonNode queue) {
    StringBuilder b = new StringBuilder(String.format("%-4s %-12s %-14s %8s%n", "POS", "JOB",
        "NAME", "PRIORITY"));
    for (JsonNode j : queue.get("jobs")) {
      b.append(String.format("%-4d %-12s %-14.14s %8d%n", j.get("position").asInt(),
          j.get("id").asText(), j.get("name").asText(), j.get("priority").asInt()));
    }
    b.append(String.format("%d queued at %s%n", queue.get("jobs").size(),
        queue.get("homeNode").asText()));
    return b.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private int bad(String usage) {
    spec.commandLine().getErr().println("usage: " + usage);
    return ExitCodes.BAD_INPUT;
  }
}
