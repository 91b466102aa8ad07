package io.drift.node.cli;

import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Operator verbs on one node, over its management HTTP port (MOSIX: mosctl). */
@Command(name = "ctl", mixinStandardHelpOptions = true,
    description = {"Operate one node through its management HTTP port (MOSIX: mosctl).",
        "drain: every unit on the node moves away (each job's home picks where), then the node"
            + " leaves the cluster once it is home to no unfinished job. Without --force a node"
            + " still home to running jobs stays, and says which; with --force those jobs are"
            + " cancelled, saying why.",
        "Exit code 0: done; 1: the node stayed (why is printed); 2: bad input; 3: the node"
            + " could not be reached."})
final class CtlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "VERB", description = "drain")
  String verb;

  @Option(names = "--http", paramLabel = "HOST:PORT",
      defaultValue = "${env:DRIFT_HTTP:-127.0.0.1:8558}",
      description = "the node's management HTTP address (default: $DRIFT_HTTP or ${DEFAULT-VALUE})")
  String http;

  @Option(names = "--force", description = "drain: cancel the jobs this node is still home to")
  boolean force;

  @Option(names = "--within", paramLabel = "DURATION", defaultValue = "60s",
      description = "drain: how long to wait for units to move and jobs to end (default ${DEFAULT-VALUE})")
  String within;

  @Override
  public Integer call() throws Exception {
    if (!verb.equals("drain")) {
      spec.commandLine().getErr().println("drift ctl: unknown verb '" + verb + "' (known: drain)");
      return ExitCodes.BAD_INPUT;
    }
    URI uri = URI.create("http://" + http + "/drift/drain?force=" + force + "&within="
        + URLEncoder.encode(within, StandardCharsets.UTF_8));
    HttpResponse<String> r;
    try {
      r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
          HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody())
              .timeout(Duration.ofMinutes(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      spec.commandLine().getErr().println("drift ctl: cannot reach " + http + ": " + e);
      return ExitCodes.UNAVAILABLE;
    }
    spec.commandLine().getOut().println(r.body());
    return switch (r.statusCode()) {
      case 200 -> ExitCodes.OK;
      case 409 -> ExitCodes.JOB_FAILED;
      case 400, 403, 404 -> ExitCodes.BAD_INPUT;
      default -> ExitCodes.UNAVAILABLE;
    };
  }
}
