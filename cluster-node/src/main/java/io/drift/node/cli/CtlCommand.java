package io.drift.node.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drift.node.NodeControl;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Operator verbs on one node, over its management HTTP port (MOSIX: mosctl). */
@Command(name = "ctl", mixinStandardHelpOptions = true,
    description = {"Operate one node through its management HTTP port (MOSIX: mosctl).",
        "Verbs:",
        "  block    take no new guests (units here stay)",
        "  noblock  take guests again",
        "  expel    block, and send every guest away (their homes pick where; --within)",
        "  bring    call every job homed here back home from where it runs",
        "  stay     move no unit away by this node's own decision",
        "  nostay   move units away by this node's own decision again",
        "  drain    send every unit away, then leave the cluster once the node is home to no"
            + " unfinished job; without --force a node still home to running jobs stays and"
            + " says which, with --force those jobs are cancelled, saying why",
        "  status   this node's switches and what runs here",
        "Exit code 0: done; 1: the node stayed, or guests were left (why is printed); 2: bad"
            + " input; 3: the node could not be reached."})
final class CtlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "VERB",
      description = "block, noblock, expel, bring, stay, nostay, drain or status")
  String verb;

  @Mixin Http http;

  @Option(names = "--force", description = "drain: cancel the jobs this node is still home to")
  boolean force;

  @Option(names = "--within", paramLabel = "DURATION", defaultValue = "60s",
      description = "drain, expel: how long to wait for units to move and jobs to end"
          + " (default ${DEFAULT-VALUE})")
  String within;

  @Option(names = "--json", description = "print the node's JSON answer as it is")
  boolean json;

  @Override
  public Integer call() {
    if (!NodeControl.VERBS.containsKey(verb)) {
      spec.commandLine().getErr().println("drift ctl: unknown verb '" + verb + "'; known: "
          + String.join(", ", NodeControl.VERBS.keySet()) + " (drift ctl --help)");
      return ExitCodes.BAD_INPUT;
    }
    String w = URLEncoder.encode(within, StandardCharsets.UTF_8);
    Http.Answer a = switch (verb) {
      case "status" -> http.get("/drift/status");
      case "drain" -> http.post("/drift/drain?force=" + force + "&within=" + w,
          Duration.ofMinutes(30));
      case "expel" -> http.post("/drift/ctl/expel?within=" + w, Duration.ofMinutes(30));
      default -> http.post("/drift/ctl/" + verb, Duration.ofMinutes(10));
    };
    PrintWriter out = spec.commandLine().getOut();
    if (json || a.json() == null) {
      out.println(a.body());
    } else if (!a.ok() && a.json().has("error")) {
      spec.commandLine().getErr().println("drift ctl " + verb + ": " + a.error());
    } else {
      print(a.json(), "", out);
    }
    return Http.exitCode(a.status());
  }

  /** An object as "key: value" lines, nested objects indented. */
  static void print(JsonNode node, String indent, PrintWriter out) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode v = f.getValue();
      if (v.isObject() && v.size() > 0) {
        out.println(indent + f.getKey() + ":");
        print(v, indent + "  ", out);
      } else {
        out.println(indent + f.getKey() + ": " + (v.isTextual() ? v.asText() : v.toString()));
      }
    }
  }
}
