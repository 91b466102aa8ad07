package io.drift.bench;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Deferred I/O: the same unit writing and then reading 64 MiB in 64 KiB records through its
 * home files, once running at its home node and once on another node (its I/O crossing
 * loopback between two node processes), alternately, several times; medians and their ratio.
 */
final class HomeIoBench {

  static final int RECORD = 64 * 1024;
  static final int RECORDS = 1024;
  static final int RUNS = 9;

  static Map<String, Object> run() throws Exception {
    long t0 = System.nanoTime();
    Path root = Files.createTempDirectory("drift-home-io");
    List<String> settings = List.of("-Ddrift.home.workspace-root=" + root,
        "-Ddrift.balancer.migrate=off");
    List<String> opts = List.of("-Xmx1g", "-Xms1g", "-XX:+AlwaysPreTouch");
    double[][] home = new double[2][RUNS];
    double[][] remote = new double[2][RUNS];
    try (NodeProcs cluster = NodeProcs.start(2, opts, settings)) {
      cluster.awaitCluster(java.time.Duration.ofSeconds(120));
      List<String> nodes = List.of(cluster.node(0), cluster.node(1));
      try (DriftClient client = DriftClient.connect(nodes.get(0))) {
        once(client, root, nodes.get(0), 256); // warm both paths up
        once(client, root, nodes.get(1), 256);
        for (int i = 0; i < RUNS; i++) {
          double[] h = once(client, root, nodes.get(0), RECORDS);
          double[] r = once(client, root, nodes.get(1), RECORDS);
          home[0][i] = h[0];
          home[1][i] = h[1];
          remote[0][i] = r[0];
          remote[1][i] = r[1];
          System.err.printf("run %d: at home write %.0f MiB/s, read %.0f MiB/s; on the other"
              + " node write %.0f MiB/s, read %.0f MiB/s%n", i + 1, h[0], h[1], r[0], r[1]);
        }
      }
    } finally {
      try (var walk = Files.walk(root)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    double hw = Bench.median(home[0]);
    double hr = Bench.median(home[1]);
    double rw = Bench.median(remote[0]);
    double rr = Bench.median(remote[1]);
    out.put("home_write_mib_s", hw);
    out.put("home_read_mib_s", hr);
    out.put("remote_write_mib_s", rw);
    out.put("remote_read_mib_s", rr);
    out.put("remote_write_ratio", rw / hw);
    out.put("remote_read_ratio", rr / hr);
    out.put("setup", "2 node processes (" + String.join(" ", opts) + ") on loopback, client in a"
        + " third JVM; one unit appends " + RECORDS + " records of " + RECORD / 1024 + " KiB to"
        + " a home file, waits until home applied them, then reads them back in order; at its"
        + " home node and on the other node, alternately, " + RUNS + " times each; medians");
    out.put("wall_s", (System.nanoTime() - t0) / 1e9);
    return out;
  }

  /** One run on {@code node}: {write MiB/s, read MiB/s}. */
  static double[] once(DriftClient client, Path root, String node, int records)
      throws Exception {
    JobHandle<String> h = client.submit(JobSpec.of(new HomeIo(records, RECORD)));
    JobInfo info = running(h);
    if (!info.host().equals(node)) {
      info = h.migrate(node).toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (!info.host().equals(node)) {
        throw new IllegalStateException("the unit went to " + info.host() + ", not " + node);
      }
    }
    Path dir = root.resolve(h.id().value());
    Files.createDirectories(dir);
    Files.write(dir.resolve(HomeIo.GO), new byte[0]);
    String[] r = h.result().toCompletableFuture().get(300, TimeUnit.SECONDS).split(" ");
    double mib = (double) records * RECORD / (1 << 20);
    Files.deleteIfExists(dir.resolve(HomeIo.DATA));
    return new double[] {mib / (Long.parseLong(r[0]) / 1e9), mib / (Long.parseLong(r[1]) / 1e9)};
  }

  /** Polls (bounded, 30 s) until the job runs. */
  static JobInfo running(JobHandle<?> h) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      JobInfo info = h.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (info.state() == JobState.RUNNING) {
        return info;
      }
      if (info.state().isFinal() || System.nanoTime() > deadline) {
        throw new IllegalStateException("the job did not start: " + info);
      }
      Thread.sleep(20);
    }
  }
}
