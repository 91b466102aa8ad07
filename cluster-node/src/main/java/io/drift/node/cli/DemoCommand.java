package io.drift.node.cli;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.WorkUnit;
import io.drift.api.units.BurnCpu;
import io.drift.api.units.MonteCarloPi;
import io.drift.api.units.PrimeCount;
import io.drift.node.LocalCluster;
import io.drift.node.client.DriftClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start a local cluster in this process, submit a mix of shipped units to its"
        + " first node, and show where each ran, its CPU time and its result.",
        "Exits 0 when every job succeeded and the jobs ran on at least two nodes."})
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "3", description = "nodes (default ${DEFAULT-VALUE})")
  int nodes;

  @Option(names = "--slots", defaultValue = "2", description = "slots per node (default ${DEFAULT-VALUE})")
  int slots;

  @Option(names = "--jobs", defaultValue = "12", description = "jobs (default ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--timeout", defaultValue = "300", description = "seconds to wait for the jobs")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || slots < 1 || jobs < 1) {
      throw new IllegalArgumentException("--nodes, --slots and --jobs must be >= 1");
    }
    // the demo's own table is the output; nodes stopping at the end log connection noise
    Logs.init("ERROR", "WARN");
    PrintWriter out = spec.commandLine().getOut();
    out.printf("starting %d nodes with %d slots each on %s ...%n", nodes, slots, LocalCluster.HOST);
    out.flush();
    long t0 = System.nanoTime();
    try (LocalCluster cluster = LocalCluster.start(Collections.nCopies(nodes, slots), Map.of())) {
      cluster.awaitReady(Duration.ofSeconds(60));
      for (var n : cluster.nodes()) {
        out.printf("  node %s  management http://%s:%d/drift/nodes%n", n.selfNode(),
            LocalCluster.HOST, n.httpPort());
      }
      out.printf("cluster up in %.1f s; submitting %d jobs to %s%n", (System.nanoTime() - t0) / 1e9,
          jobs, cluster.node(0).selfNode());
      out.flush();
      return runJobs(cluster, out);
    }
  }

  private int runJobs(LocalCluster cluster, PrintWriter out) throws Exception {
    long t0 = System.nanoTime();
    List<JobHandle<?>> handles = new ArrayList<>();
    try (DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      for (int i = 0; i < jobs; i++) {
        handles.add(client.submit(JobSpec.of(unit(i)).withName(name(i))));
      }
      CompletableFuture.allOf(handles.stream()
              .map(h -> h.result().toCompletableFuture().handle((r, e) -> null))
              .toArray(CompletableFuture[]::new))
          .get(timeoutSeconds, TimeUnit.SECONDS);
      double wall = (System.nanoTime() - t0) / 1e9;

      out.printf("%n%-13s %-18s %-16s %9s  %s%n", "JOB", "NAME", "RAN ON", "CPU", "RESULT");
      Map<String, Integer> perNode = new TreeMap<>();
      long cpu = 0;
      int ok = 0;
      for (JobHandle<?> h : handles) {
        JobInfo info = h.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
        perNode.merge(info.host(), 1, Integer::sum);
        cpu += info.cpuNanos();
        String result = info.state() == JobState.SUCCEEDED
            ? String.valueOf(h.result().toCompletableFuture().join())
            : info.state() + ": " + info.error();
        ok += info.state() == JobState.SUCCEEDED ? 1 : 0;
        out.printf("%-13s %-18s %-16s %7d ms  %s%n", info.id(), info.name(), info.host(),
            info.cpuNanos() / 1_000_000, result);
      }
      out.printf("%ntotal: %d jobs, %d succeeded, ran on %d nodes %s, cpu %.1f s in %.1f s wall%n",
          handles.size(), ok, perNode.size(), perNode, cpu / 1e9, wall);
      if (ok != handles.size()) {
        return ExitCodes.JOB_FAILED;
      }
      if (cluster.nodes().size() > 1 && perNode.size() < 2) {
        out.println("expected the jobs to spread over at least two nodes; they did not");
        return ExitCodes.JOB_FAILED;
      }
      return ExitCodes.OK;
    }
  }

  /** A mix of the shipped units, in rotation: primes, pi, burn. */
  static WorkUnit<?> unit(int i) {
    int k = i / 3;
    return switch (i % 3) {
      case 0 -> new PrimeCount(k * 1_000_000L, (k + 1) * 1_000_000L);
      case 1 -> new MonteCarloPi(42 + k, 10_000_000L);
      default -> new BurnCpu(600);
    };
  }

  static String name(int i) {
    int k = i / 3;
    return switch (i % 3) {
      case 0 -> "primes-" + k + "M";
      case 1 -> "pi-seed-" + (42 + k);
      default -> "burn-600ms";
    };
  }
}
