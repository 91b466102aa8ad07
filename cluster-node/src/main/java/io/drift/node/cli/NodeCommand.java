package io.drift.node.cli;

import com.typesafe.config.Config;
import io.drift.node.DriftConfig;
import io.drift.node.DriftNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "node", mixinStandardHelpOptions = true,
    description = {"Start a Drift node and run it until it is stopped (Ctrl-C or SIGTERM leave the"
        + " cluster cleanly).",
        "Without --seed and without seed nodes in the config file, the node starts a cluster of"
        + " its own."})
final class NodeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "HOCON config file (see conf/)")
  Path config;

  @Option(names = "--hostname", paramLabel = "HOST",
      description = "address to bind and advertise (default 127.0.0.1)")
  String hostname;

  @Option(names = "--port", paramLabel = "PORT", description = "cluster (Artery) port (default 2551)")
  Integer port;

  @Option(names = "--seed", paramLabel = "HOST:PORT",
      description = "a seed node to join; repeat for several")
  List<String> seeds;

  @Option(names = "--slots", paramLabel = "N", description = "units that may run at once (0: one per processor)")
  Integer slots;

  @Option(names = "--speed", paramLabel = "X", description = "speed relative to the reference node (default 1.0)")
  Double speed;

  @Option(names = "--http-port", paramLabel = "PORT",
      description = "management HTTP port (default 8558)")
  Integer httpPort;

  @Override
  public Integer call() {
    Logs.init("INFO", "INFO"); // a node's log is for its operator: Pekko's INFO lines too
    Map<String, Object> o = new HashMap<>();
    if (hostname != null) {
      o.put("pekko.remote.artery.canonical.hostname", hostname);
    }
    if (port != null) {
      o.put("pekko.remote.artery.canonical.port", port);
    }
    if (slots != null) {
      o.put("drift.node.slots", slots);
    }
    if (speed != null) {
      o.put("drift.node.speed", speed);
    }
    if (httpPort != null) {
      o.put("pekko.management.http.port", httpPort);
    }
    if (seeds != null) {
      o.put("pekko.cluster.seed-nodes", seeds.stream().map(NodeCommand::seedAddress).toList());
    }
    Config c = DriftConfig.forNode(config, o);
    if (c.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      String self = c.getString("pekko.remote.artery.canonical.hostname") + ":"
          + c.getInt("pekko.remote.artery.canonical.port");
      o.put("pekko.cluster.seed-nodes", List.of(seedAddress(self)));
      c = DriftConfig.forNode(config, o);
    }
    DriftNode node = DriftNode.start(c);
    spec.commandLine().getOut().printf("drift node %s is up (%d slots)%s%n", node.selfNode(),
        node.settings().slots(), node.httpPort() < 0 ? "" : "; management on http://"
            + c.getString("pekko.management.http.hostname") + ":" + node.httpPort());
    spec.commandLine().getOut().flush();
    node.whenTerminated().join();
    return ExitCodes.OK;
  }

  static String seedAddress(String hostPort) {
    if (!hostPort.matches("[^:/\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException("a seed is host:port, not '" + hostPort + "'");
    }
    return "pekko://" + DriftNode.SYSTEM_NAME + "@" + hostPort;
  }
}
