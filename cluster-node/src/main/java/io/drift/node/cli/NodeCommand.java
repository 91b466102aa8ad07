package io.drift.node.cli;

import com.typesafe.config.Config;
import io.drift.node.DriftConfig;
import io.drift.node.DriftNode;
import java.io.PrintWriter;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.Adapter;
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
        + " its own.",
        "Exit codes: 0 stopped on request, 2 bad configuration, 3 could not join or was downed."})
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

  @Option(names = "--speed", paramLabel = "X|auto",
      description = "speed relative to the reference node, or auto to measure it (default 1.0)")
  String speed;

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
    boolean collectAfterStart = c.getBoolean("drift.node.collect-after-start");
    DriftNode node = DriftNode.start(c);
    PrintWriter out = spec.commandLine().getOut();
    List<String> seedList = c.getStringList("pekko.cluster.seed-nodes");
    out.printf("drift node %s started (%d slots), %s%s%n", node.selfNode(), node.settings().slots(),
        c.getString("drift.node.join").trim().equals("bootstrap") ? "joining by Cluster Bootstrap"
            : seedList.isEmpty() ? "a cluster of its own" : "joining " + String.join(", ", seedList),
        node.httpPort() < 0 ? "" : "; management on http://"
            + c.getString("pekko.management.http.hostname") + ":" + node.httpPort());
    out.flush();
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(node.system())).registerOnMemberUp(() -> {
      out.printf("drift node %s is up%n", node.selfNode());
      out.flush();
      if (collectAfterStart) {
        collectAfterStart();
      }
    });
    node.whenTerminated().join();
    return exitCode(CoordinatedShutdown.get(Adapter.toClassic(node.system())).getShutdownReason()
        .orElse(CoordinatedShutdown.unknownReason()), c);
  }

  /**
   * One full collection once the node is up, off the actor threads (decision 0027). G1 keeps
   * the heap that start-up touched until it runs a cycle, and a node that is quiet, or whose
   * small steady allocation keeps young collections coming, may never run one: an idle node
   * held 50-75 MiB of committed heap for 18 MiB of live data.
   */
  private static void collectAfterStart() {
    Thread t = new Thread(() -> {
      Runtime rt = Runtime.getRuntime();
      long before = rt.totalMemory();
      System.gc();
      org.slf4j.LoggerFactory.getLogger(NodeCommand.class).info("collected once after start"
          + " (drift.node.collect-after-start): heap {} MiB -> {} MiB committed, {} MiB used",
          before >> 20, rt.totalMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
    }, "drift-collect-after-start");
    t.setDaemon(true);
    t.start();
  }

  /** Why the node stopped, told to its operator: 0 for a stop they asked for. */
  private int exitCode(CoordinatedShutdown.Reason reason, Config c) {
    PrintWriter err = spec.commandLine().getErr();
    if (reason.equals(CoordinatedShutdown.clusterJoinUnsuccessfulReason())) {
      err.printf("drift node: could not join the seed nodes %s within %s"
              + " (pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes)%n",
          c.getStringList("pekko.cluster.seed-nodes"),
          c.getString("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes"));
      return ExitCodes.UNAVAILABLE;
    }
    if (reason.equals(CoordinatedShutdown.clusterDowningReason())) {
      err.println("drift node: the cluster downed this node (split brain resolver); restart it"
          + " to join again");
      return ExitCodes.UNAVAILABLE;
    }
    if (reason.equals(CoordinatedShutdown.incompatibleConfigurationDetectedReason())) {
      err.println("drift node: the cluster refused this node's configuration as incompatible");
      return ExitCodes.BAD_INPUT;
    }
    return ExitCodes.OK; // SIGTERM, Ctrl-C, leaving on request
  }

  static String seedAddress(String hostPort) {
    if (!hostPort.matches("[^:/\\s]+:\\d{1,5}")) {
      throw new IllegalArgumentException("a seed is host:port, not '" + hostPort + "'");
    }
    return "pekko://" + DriftNode.SYSTEM_NAME + "@" + hostPort;
  }
}
