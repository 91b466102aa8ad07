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
        "  isolate  take this node's cluster out of its grid: guests of other clusters go home"
            + " (frozen there if home will not run them), its jobs come home from other"
            + " clusters, it takes and sends none until rejoin (--within: how long to wait)",
        "  rejoin   put this node's cluster back into its grid on its partner terms",
        "  partner  this cluster's partner terms; 'partner set CLUSTER' with --priority,"
            + " --send, --take, --max-guests changes them live for every node of the cluster",
        "  status   this node's switches and what runs here",
        "Exit code 0: done; 1: the node stayed, or guests were left (why is printed); 2: bad"
            + " input; 3: the node could not be reached."})
final class CtlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "VERB",
      description = "block, noblock, expel, bring, stay, nostay, drain, isolate, rejoin,"
          + " partner or status")
  String verb;

  @Parameters(index = "1..*", paramLabel = "ARG", arity = "0..*",
      description = "partner: 'set CLUSTER'")
  java.util.List<String> args = new java.util.ArrayList<>();

  @Option(names = "--priority", paramLabel = "N",
      description = "partner set: lower first (this cluster's jobs go to, and its nodes"
          + " keep, partners of lower numbers first)")
  Integer priority;

  @Option(names = "--send", paramLabel = "on|off",
      description = "partner set: this cluster's jobs may go there")
  String send;

  @Option(names = "--take", paramLabel = "on|off",
      description = "partner set: this cluster takes its jobs")
  String take;

  @Option(names = "--max-guests", paramLabel = "N|none",
      description = "partner set: its guests this cluster holds at most")
  String maxGuests;

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
    if (verb.equals("partner")) {
      return partner();
    }
    if (!args.isEmpty()) {
      spec.commandLine().getErr().println("drift ctl " + verb + ": takes no arguments, got "
          + String.join(" ", args));
      return ExitCodes.BAD_INPUT;
    }
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
      case "expel", "isolate" -> http.post("/drift/ctl/" + verb + "?within=" + w,
          Duration.ofMinutes(30));
      default -> http.post("/drift/ctl/" + verb, Duration.ofMinutes(10));
    };
    return print(a);
  }

  /** {@code partner}: the terms; {@code partner set CLUSTER --priority ...}: change them. */
  private Integer partner() {
    if (args.isEmpty()) {
      return print(http.get("/drift/grid"));
    }
    if (args.size() != 2 || !args.get(0).equals("set")) {
      spec.commandLine().getErr().println("drift ctl partner: 'partner' lists the terms,"
          + " 'partner set CLUSTER --priority N --send on|off --take on|off --max-guests N|none'"
          + " changes them; got " + String.join(" ", args));
      return ExitCodes.BAD_INPUT;
    }
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    if (priority != null) {
      body.put("priority", priority);
    }
    if (send != null) {
      body.put("send", send);
    }
    if (take != null) {
      body.put("take", take);
    }
    if (maxGuests != null) {
      body.put("max-guests", maxGuests);
    }
    return print(http.postJson("/drift/grid/partners/"
        + URLEncoder.encode(args.get(1), StandardCharsets.UTF_8), body, Duration.ofMinutes(1)));
  }

  private Integer print(Http.Answer a) {
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
