package io.drift.bench;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.ArrayList;

/**
 * Moves running units with states of 1 KiB, 1 MiB, 16 MiB and 256 MiB back and forth between
 * two nodes, and copies bytes over a plain loopback socket in the same run as the baseline.
 *
 * <p>Setup: two node processes on loopback, started as an operator starts them, and this JVM
 * as their client. The time measured is from the move
 * request to its answer at the client, which comes once the unit runs at its target: an upper
 * bound of pause-to-resume.
 */
final class MigrationBench {
  private MigrationBench() {}

  record Size(String name, int bytes, int moves) {
    /** Over the side channel (its default min-bytes), not in chunks. */
    boolean side() {
      return bytes >= 64 << 10;
    }
  }

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

    try (NodeProcs cluster = NodeProcs.start(2, nodeJavaOpts(),
        List.of("-Ddrift.load.interval=50ms"))) {
      cluster.awaitCluster(Duration.ofSeconds(120));
      List<String> nodes = List.of(cluster.node(0), cluster.node(1));
      try (DriftClient client = DriftClient.connect(nodes.get(0))) {
        double rtt = roundTrip(client);
        System.err.printf("request-response client to node: median %.3f ms%n", rtt);
        out.put("ask_round_trip_ms_p50", rtt);
        warmUp(client, nodes);
        String only = System.getProperty("drift.bench.sizes", "");
        for (Size size : SIZES) {
          if (!only.isEmpty() && !List.of(only.split(",")).contains(size.name())) {
            continue;
          }
          Moves m = moves(client, nodes, size);
          double frozen = Bench.median(m.frozenMs());
          double asked = Bench.median(m.askedMs());
          System.err.printf("%s state, median of %d moves: frozen %.1f ms (pause to resume),"
              + " %.1f ms from request to answer%n", size.name(), m.frozenMs().length, frozen, asked);
          out.put("pause_to_resume_ms_p50_" + size.name(), frozen);
          out.put("move_request_ms_p50_" + size.name(), asked);
          Phases ph = phases(cluster.logLines(), m.jobId(), m.frozenMs().length);
          System.err.printf("  phases (medians): %s %.1f ms, %s %.1f ms, check %.1f ms,"
              + " relocate %.1f ms%n", size.side() ? "measure" : "encode", ph.first(),
              size.side() ? "stream" : "send", ph.transfer(), ph.check(), ph.relocate());
          Map<String, Object> phases = new LinkedHashMap<>();
          phases.put(size.side() ? "measure" : "encode", ph.first());
          phases.put(size.side() ? "stream" : "send", ph.transfer());
          phases.put("check", ph.check());
          phases.put("relocate", ph.relocate());
          out.put("phases_ms_" + size.name(), phases);
          if (size.name().equals("256mib")) {
            double mibS = 256 / (frozen / 1000);
            out.put("large_state_mib_s", mibS);
            out.put("large_state_vs_raw_tcp", mibS / rawMibS);
            double streamed = 256 / (ph.transfer() / 1000);
            out.put("large_state_stream_mib_s", streamed);
            out.put("large_state_stream_vs_raw_tcp", streamed / rawMibS);
          }
        }
      }
    }
    out.put("setup", "two node processes (" + String.join(" ", nodeJavaOpts()) + "), Artery TCP"
        + " on loopback, client in a third JVM, all warmed up; pause_to_resume = the job's frozen"
        + " time per move (source pause until home asks the target to start, on the source's clock,"
        + " plus home's wait for the start); large_state_mib_s = 256 MiB over that time");
    out.put("machine", Bench.machine());
    return out;
  }

  /**
   * JVM options of each node process: {@code DRIFT_BENCH_NODE_JAVA_OPTS}, by default a heap of
   * 3 GiB committed and touched at start, as for any node that moves large states: on a fresh
   * heap every new 256 MiB array costs its page faults, which doubled encode, send and decode.
   */
  static final String NODE_JAVA_OPTS = "-Xmx3g -Xms3g -XX:+AlwaysPreTouch";

  static List<String> nodeJavaOpts() {
    String env = System.getenv("DRIFT_BENCH_NODE_JAVA_OPTS");
    return List.of((env == null || env.isBlank() ? NODE_JAVA_OPTS : env).trim().split("\\s+"));
  }

  record Moves(String jobId, double[] frozenMs, double[] askedMs) {}

  record Phases(double first, double transfer, double check, double relocate) {}

  private static final Pattern MOVED = Pattern.compile("job (\\w+): moved \\d+ bytes to \\S+:"
      + " (?:measured|encoded) in ([\\d.]+) ms, (?:streamed|sent) in ([\\d.]+) ms, checked in"
      + " ([\\d.]+) ms, relocated at home in ([\\d.]+) ms");

  /**
   * Medians of each phase of a job's last {@code n} moves, from the nodes' logs. For the side
   * channel (64 KiB and more): measuring the state at the step boundary, then streaming it
   * (encoded at the source, sent, decoded at the target, at once); for chunks: encoding it,
   * then sending it.
   */
  static Phases phases(List<String> lines, String jobId, int n) {
    List<double[]> moved = new ArrayList<>();
    for (String line : lines) {
      Matcher m = MOVED.matcher(line);
      if (m.find() && m.group(1).equals(jobId)) {
        moved.add(new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
            Double.parseDouble(m.group(4)), Double.parseDouble(m.group(5))});
      }
    }
    List<double[]> last = moved.subList(Math.max(0, moved.size() - n), moved.size());
    return new Phases(col(last, 0), col(last, 1), col(last, 2), col(last, 3));
  }

  private static double col(List<double[]> rows, int c) {
    return rows.isEmpty() ? Double.NaN : Bench.median(rows.stream().mapToDouble(r -> r[c]).toArray());
  }

  /**
   * Fresh JVMs run Pekko's paths about ten times slower than warm ones (PEKKO-FACTS): move a
   * 64 KiB unit back and forth until it has moved 300 times or 90 s passed, whichever first.
   */
  static void warmUp(DriftClient client, List<String> nodes) throws Exception {
    long t0 = System.nanoTime();
    JobHandle<Long> h = client.submit(JobSpec.of(new Ballast(64 << 10, Long.MAX_VALUE))
        .withName("warm-up"));
    String host = awaitRunning(h);
    int n = 0;
    while (n < 300 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(90)) {
      host = h.migrate(other(nodes, host)).toCompletableFuture().get(60, TimeUnit.SECONDS).host();
      n++;
    }
    h.cancel().toCompletableFuture().get(60, TimeUnit.SECONDS);
    System.err.printf("warm-up: %d moves in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
  }

  private static String other(List<String> nodes, String host) {
    return nodes.get(0).equals(host) ? nodes.get(1) : nodes.get(0);
  }

  /**
   * Submits a unit of this size and moves it back and forth: for each move, the time the job
   * spent frozen (as its home counts it) and the time from the request to its answer.
   */
  static Moves moves(DriftClient client, List<String> nodes, Size size) throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new Ballast(size.bytes(), Long.MAX_VALUE))
        .withName("ballast-" + size.name()));
    String host = awaitRunning(h);
    long frozenBefore = h.status().toCompletableFuture().get(10, TimeUnit.SECONDS).frozenMicros();
    int warmUp = size.bytes() >= (64 << 20) ? 1 : 3;
    double[] frozen = new double[size.moves()];
    double[] asked = new double[size.moves()];
    for (int i = -warmUp; i < size.moves(); i++) {
      long t0 = System.nanoTime();
      JobInfo info = h.migrate(other(nodes, host)).toCompletableFuture().get(300, TimeUnit.SECONDS);
      double took = (System.nanoTime() - t0) / 1e6;
      host = info.host();
      if (i >= 0) {
        asked[i] = took;
        frozen[i] = (info.frozenMicros() - frozenBefore) / 1e3;
      }
      frozenBefore = info.frozenMicros();
    }
    h.cancel().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return new Moves(h.id().value(), frozen, asked);
  }

  /**
   * The floor under every move: one small request and its answer between this client and a
   * node (a job listing), median of 1000 after 5000 to warm both JVMs up.
   */
  static double roundTrip(DriftClient client) throws Exception {
    double[] ms = new double[1000];
    for (int i = -5000; i < ms.length; i++) {
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
