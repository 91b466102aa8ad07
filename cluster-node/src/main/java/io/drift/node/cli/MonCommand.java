package io.drift.node.cli;

import io.drift.balancer.Balancer;
import io.drift.balancer.LoadSample;
import io.drift.node.client.DriftClient;
import io.drift.node.http.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Every node's load, as a live chart on a terminal (MOSIX: mon). */
@Command(name = "mon", mixinStandardHelpOptions = true,
    description = {"Every node's load as the node asked sees it (MOSIX: mon): a bar of its"
        + " run queue per slot and per unit of speed (a full bar: every slot of a reference"
        + " node busy; past it, units wait), its slots, speed, memory in use, guests, and"
        + " whether it takes guests. On a terminal it redraws every --every until Ctrl-C (or"
        + " --count frames); piped, it prints --count frames (default 1).",
        "--json prints the nodes once, for scripts."})
final class MonCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin NodeOption target;

  @Option(names = "--json", description = "print the nodes once, as JSON")
  boolean json;

  @Option(names = "--every", paramLabel = "DURATION", defaultValue = "1s",
      description = "time between frames (default ${DEFAULT-VALUE})")
  String every;

  @Option(names = "--count", paramLabel = "N", defaultValue = "-1",
      description = "frames to show, then stop (default: until Ctrl-C on a terminal, 1 piped)")
  int count;

  static final int BAR = 30;

  @Override
  public Integer call() throws Exception {
    Logs.init("ERROR", "WARN");
    Duration interval;
    try {
      interval = com.typesafe.config.ConfigFactory.parseString("t = " + every).getDuration("t");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--every is a duration such as 1s, not " + every);
    }
    if (interval.toMillis() < 100) {
      throw new IllegalArgumentException("--every is at least 100ms");
    }
    boolean terminal = System.console() != null && !json;
    int frames = json ? 1 : count >= 0 ? count : terminal ? Integer.MAX_VALUE : 1;
    PrintWriter out = spec.commandLine().getOut();
    try (DriftClient client = target.connect()) {
      for (int i = 0; i < frames; i++) {
        List<Balancer.NodeStatus> nodes = new ArrayList<>(
            client.nodes().toCompletableFuture().join().nodes());
        nodes.sort(Comparator.comparing(n -> n.sample().node()));
        if (json) {
          out.println(Json.mapper().writeValueAsString(rows(nodes)));
          return ExitCodes.OK;
        }
        if (terminal) {
          out.print("\u001b[H\u001b[2J"); // home, clear: redraw in place
        } else if (i > 0) {
          out.println();
        }
        out.print(chart(nodes, target.node));
        out.flush();
        if (i + 1 < frames) {
          Thread.sleep(interval.toMillis());
        }
      }
    }
    return ExitCodes.OK;
  }

  static List<Map<String, Object>> rows(List<Balancer.NodeStatus> nodes) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Balancer.NodeStatus n : nodes) {
      LoadSample s = n.sample();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("node", s.node());
      m.put("cluster", s.cluster());
      m.put("status", n.memberStatus());
      m.put("load", s.normalizedLoad());
      m.put("runnable", s.runnable());
      m.put("slots", s.slots());
      m.put("speed", s.speed());
      m.put("usedMemoryBytes", s.totalMemoryBytes() - s.freeMemoryBytes());
      m.put("totalMemoryBytes", s.totalMemoryBytes());
      m.put("guests", s.guests());
      m.put("guestsByCluster", s.guestsByCluster());
      m.put("acceptingGuests", s.acceptingGuests());
      m.put("sampleAgeMillis", n.ageMillis());
      rows.add(m);
    }
    return rows;
  }

  /** One frame: a line per node. */
  static String chart(List<Balancer.NodeStatus> nodes, String asked) {
    // a grid: each node's cluster, and its guests by their home cluster. A named cluster is in
    // a grid even when only its own nodes are in view (isolated, or before the partners'
    // gossip arrives): the column must not come and go with the gossip.
    boolean grid = nodes.stream().map(n -> n.sample().cluster())
        .anyMatch(c -> !PsCommand.DEFAULT_CLUSTER.equals(c));
    StringBuilder b = new StringBuilder(String.format("%-21s %s%-" + (BAR + 2) + "s %5s %5s %5s"
        + " %15s %6s%n", "NODE", grid ? String.format("%-10s ", "CLUSTER") : "",
        "LOAD (| = all slots busy)", "", "SLOTS", "SPEED", "MEMORY", "GUESTS"));
    for (Balancer.NodeStatus n : nodes) {
      LoadSample s = n.sample();
      double load = s.normalizedLoad();
      // the bar's first two thirds are one reference node's slots full; the rest is waiting
      int full = (int) Math.round(Math.min(load, 1.5) / 1.5 * BAR);
      int mark = (int) Math.round(BAR / 1.5);
      StringBuilder bar = new StringBuilder();
      for (int k = 0; k < BAR; k++) {
        bar.append(k < full ? '#' : k == mark ? '|' : '.');
      }
      long used = s.totalMemoryBytes() - s.freeMemoryBytes();
      StringBuilder byCluster = new StringBuilder();
      if (grid) {
        s.guestsByCluster().forEach((c, k) -> byCluster.append(' ').append(c).append(':')
            .append(k));
      }
      b.append(String.format("%-21s %s[%s] %5.2f %5d %5.1f %6d/%-6d MiB %5d%s%s%s%n", s.node(),
          grid ? String.format("%-10.10s ", s.cluster()) : "", bar,
          load, s.slots(), s.speed(), used >> 20, s.totalMemoryBytes() >> 20, s.guests(),
          byCluster.length() == 0 ? "" : " (" + byCluster.substring(1) + ")",
          s.acceptingGuests() ? "" : "  blocked",
          n.memberStatus().equals("Up") ? "" : "  " + n.memberStatus()));
    }
    b.append(String.format("%d nodes, as %s sees them%n", nodes.size(), asked));
    return b.toString();
  }
}
