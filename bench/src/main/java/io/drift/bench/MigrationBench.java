package io.drift.bench;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.node.LocalCluster;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Moves running units with states of 1 KiB, 1 MiB, 16 MiB and 256 MiB back and forth between
 * two nodes, and copies bytes over a plain loopback socket in the same run as the baseline.
 *
 * <p>Setup, as it stands: two nodes in this JVM (two actor systems talking Artery over loopback
 * TCP), states moved in acknowledged chunks over Artery. The time measured is from the move
 * request to its answer at the client, which comes once the unit runs at its target: an upper
 * bound of pause-to-resume.
 */
final class MigrationBench {
  private MigrationBench() {}

  record Size(String name, int bytes, int moves) {}

  static final List<Size> SIZES = List.of(new Size("1kib", 1024, 15),
      new Size("1mib", 1 << 20, 15), new Size("16mib", 16 << 20, 7),
      new Size("256mib", 256 << 20, 3));

  static Map<String, Object> run() throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    double[] raw = new double[3];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = RawTcp.copy(1024);
      System.err.printf("raw TCP copy %d: %.0f MiB/s%n", i + 1, raw[i]);
    }
    double rawMibS = Bench.median(raw);
    out.put("raw_tcp_mib_s", rawMibS);

    try (LocalCluster cluster = LocalCluster.start(List.of(1, 1),
        Map.of("drift.load.interval", "50ms"))) {
      cluster.awaitReady(Duration.ofSeconds(60));
      List<String> nodes = List.of(cluster.node(0).selfNode(), cluster.node(1).selfNode());
      try (DriftClient client = DriftClient.connect(nodes.get(0))) {
        double rtt = roundTrip(client);
        System.err.printf("request-response client to node: median %.2f ms%n", rtt);
        out.put("ask_round_trip_ms_p50", rtt);
        for (Size size : SIZES) {
          double[] ms = moves(client, nodes, size);
          double p50 = Bench.median(ms);
          System.err.printf("%s state: median %.1f ms a move over %d moves%n", size.name(), p50,
              ms.length);
          out.put("move_ms_p50_" + size.name(), p50);
          if (size.name().equals("1mib")) {
            out.put("pause_to_resume_ms_p50_1mib", p50);
          }
          if (size.name().equals("256mib")) {
            double mibS = 256 / (p50 / 1000);
            out.put("large_state_mib_s", mibS);
            out.put("large_state_vs_raw_tcp", mibS / rawMibS);
          }
        }
      }
    }
    out.put("setup", "two nodes in one JVM, Artery TCP on loopback; time = move request to"
        + " answer at the client (an upper bound of pause-to-resume)");
    out.put("machine", Bench.machine());
    return out;
  }

  /** Submits a unit of this size, moves it back and forth, and times each move after a warm-up. */
  static double[] moves(DriftClient client, List<String> nodes, Size size) throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new Ballast(size.bytes(), Long.MAX_VALUE))
        .withName("ballast-" + size.name()));
    String host = awaitRunning(h);
    int warmUp = size.bytes() >= (64 << 20) ? 1 : 3;
    double[] ms = new double[size.moves()];
    for (int i = -warmUp; i < size.moves(); i++) {
      String target = nodes.get(0).equals(host) ? nodes.get(1) : nodes.get(0);
      long t0 = System.nanoTime();
      JobInfo info = h.migrate(target).toCompletableFuture().get(300, TimeUnit.SECONDS);
      double took = (System.nanoTime() - t0) / 1e6;
      host = info.host();
      if (i >= 0) {
        ms[i] = took;
      }
    }
    h.cancel().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return ms;
  }

  /**
   * The floor under every move: one small request and its answer between this client and a
   * node (a job listing), median of 300 after 100 to warm up.
   */
  static double roundTrip(DriftClient client) throws Exception {
    double[] ms = new double[300];
    for (int i = -100; i < ms.length; i++) {
      long t0 = System.nanoTime();
      client.jobs().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (i >= 0) {
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    return Bench.median(ms);
  }

  /** Waits (bounded) until the unit runs and has built its state. */
  static String awaitRunning(JobHandle<?> h) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      JobInfo info = h.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (info.state() == JobState.RUNNING && info.steps() > 0) {
        return info.host();
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("job " + h.id() + " did not start within 120 s");
  }
}
