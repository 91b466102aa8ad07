package io.drift.bench;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.WorkUnit;
import io.drift.api.units.BurnCpu;
import io.drift.balancer.sim.Ideal;
import io.drift.balancer.sim.Workload;
import io.drift.node.client.DriftClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policy on a real cluster (issue 4, point 3): eight node processes on loopback, speeds 1, 2
 * and 4 emulated ({@link EmulatedWork}: a unit's step waits step/speed while it holds its slot,
 * so eight nodes fit on two cores honestly), one seeded batch of jobs submitted at node 0, run
 * under Drift with migration, Drift placing only, and round-robin placement; a node joining a
 * busy cluster; and real CPU-bound units on three one-slot nodes.
 */
final class ClusterBench {
  private ClusterBench() {}

  static final double[] SPEEDS = {1, 2, 4, 1, 2, 4, 1, 2};
  static final int SLOTS = 2;
  static final int JOBS = 48;
  static final long SEED = 20261122L;
  static final String INTERVAL = "1s"; // the gossip and decision interval, as MOSIX's
  static final long INTERVAL_NANOS = 1_000_000_000L;

  static List<String> nodeOpts() {
    return List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  }

  /** Exponential sizes of mean 6 s, cut to 1..30 s, in reference milliseconds. */
  static long[] sizes(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    long[] ms = new long[n];
    for (int i = 0; i < n; i++) {
      ms[i] = Math.round(1000 * Math.min(30, Math.max(1, -6 * Math.log(1 - r.nextDouble()))));
    }
    return ms;
  }

  static Map<String, Object> run(boolean quick) throws Exception {
    long t0 = System.nanoTime();
    Map<String, Object> out = new LinkedHashMap<>();
    long[] sizes = sizes(JOBS, SEED);
    double[] slotSpeeds = new double[SPEEDS.length * SLOTS];
    for (int i = 0; i < slotSpeeds.length; i++) {
      slotSpeeds[i] = SPEEDS[i / SLOTS];
    }
    double[] seconds = new double[JOBS];
    for (int i = 0; i < JOBS; i++) {
      seconds[i] = sizes[i] / 1000.0;
    }
    double optimum = Ideal.batchOptimum(slotSpeeds, seconds);
    out.put("optimum_s", optimum);
    // the single system image at its ideal (every slot pooled, fair sharing, free moves): what
    // time sharing without knowing sizes reaches at best on this trace
    double pooled = Arrays.stream(Ideal.pooledFinish(slotSpeeds, new Workload.Trace("batch",
        new double[JOBS], new int[JOBS], seconds, new long[JOBS], new long[JOBS]))).max()
        .orElseThrow();
    out.put("makespan_ratio_pooled_ideal", pooled / optimum);
    System.err.printf("pooled ideal (fair sharing of all slots, free moves): %.1f s = %.3f x"
        + " optimum (%.1f s)%n", pooled, pooled / optimum, optimum);
    List<NodeProcs.Spec> specs = new ArrayList<>();
    for (double s : SPEEDS) {
      specs.add(new NodeProcs.Spec(SLOTS, s));
    }
    Batch migration = batch(specs, "on", "cost", sizes, EmulatedWork::new);
    report("migration", migration, optimum);
    out.put("makespan_ratio_migration", migration.makespan / optimum);
    out.put("migrations_per_job", (double) migration.moves / JOBS);
    if (quick) {
      out.put("wall_s", (System.nanoTime() - t0) / 1e9);
      return out;
    }
    Batch placement = batch(specs, "off", "cost", sizes, EmulatedWork::new);
    Batch roundRobin = batch(specs, "off", "round-robin", sizes, EmulatedWork::new);
    out.put("makespan_ratio_placement_only", placement.makespan / optimum);
    out.put("makespan_ratio_round_robin", roundRobin.makespan / optimum);
    report("placement only", placement, optimum);
    report("round-robin", roundRobin, optimum);

    out.put("join_fair_share_intervals", join(specs));

    // real CPU: three one-slot nodes on this machine's cores, which they share
    int cores = Runtime.getRuntime().availableProcessors();
    List<NodeProcs.Spec> three = List.of(new NodeProcs.Spec(1, 1), new NodeProcs.Spec(1, 1),
        new NodeProcs.Spec(1, 1));
    long[] cpuSizes = sizes(12, SEED + 1);
    double[] cpuSeconds = new double[cpuSizes.length];
    for (int i = 0; i < cpuSizes.length; i++) {
      cpuSizes[i] = cpuSizes[i] / 3; // mean 2 s of CPU
      cpuSeconds[i] = cpuSizes[i] / 1000.0;
    }
    double slot = Math.min(1.0, cores / 3.0); // each slot's share of the cores
    double cpuOptimum = Ideal.batchOptimum(new double[] {slot, slot, slot}, cpuSeconds);
    Batch cpu = batch(three, "on", "cost", cpuSizes, BurnCpu::new);
    out.put("cpu_makespan_ratio_migration", cpu.makespan / cpuOptimum);
    out.put("cpu_migrations_per_job", (double) cpu.moves / cpuSizes.length);
    report("real CPU, 3 one-slot nodes", cpu, cpuOptimum);
    out.put("setup", SPEEDS.length + " node processes (" + String.join(" ", nodeOpts())
        + "), speeds 1, 2, 4 emulated, " + SLOTS + " slots each; " + JOBS + " jobs, exponential"
        + " sizes (mean 6 s, cut to 1..30 s) submitted at once at node 0; gossip and decisions"
        + " every " + INTERVAL + "; CPU run: 3 one-slot nodes sharing " + cores + " cores");
    out.put("wall_s", (System.nanoTime() - t0) / 1e9);
    return out;
  }

  /** Only the node joining a busy cluster ({@code bin/drift-bench cluster --join}). */
  static Map<String, Object> joinOnly() throws Exception {
    long t0 = System.nanoTime();
    List<NodeProcs.Spec> specs = new ArrayList<>();
    for (double s : SPEEDS) {
      specs.add(new NodeProcs.Spec(SLOTS, s));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("join_fair_share_intervals", join(specs));
    out.put("wall_s", (System.nanoTime() - t0) / 1e9);
    return out;
  }

  record Batch(double makespan, long moves) {}

  static void report(String what, Batch b, double optimum) {
    System.err.printf("%s: makespan %.1f s = %.3f x optimum (%.1f s), %d moves%n", what,
        b.makespan, b.makespan / optimum, optimum, b.moves);
  }

  static List<String> settings(String migrate, String placement) {
    return List.of("-Ddrift.balancer.migrate=" + migrate, "-Ddrift.balancer.placement="
        + placement, "-Ddrift.balancer.gossip.interval=" + INTERVAL,
        "-Ddrift.load.interval=100ms");
  }

  static Batch batch(List<NodeProcs.Spec> specs, String migrate, String placement, long[] sizes,
      LongFunction<WorkUnit<Long>> unit) throws Exception {
    try (NodeProcs cluster = NodeProcs.start(specs, nodeOpts(), settings(migrate, placement))) {
      cluster.awaitCluster(Duration.ofSeconds(120));
      awaitGossip(cluster, specs.size(), Duration.ofSeconds(60));
      try (DriftClient client = DriftClient.connect(cluster.node(0))) {
        long start = System.nanoTime();
        List<JobHandle<Long>> jobs = new ArrayList<>();
        java.util.concurrent.atomic.AtomicLongArray ended =
            new java.util.concurrent.atomic.AtomicLongArray(sizes.length);
        for (int k = 0; k < sizes.length; k++) {
          JobHandle<Long> h = client.submit(JobSpec.of(unit.apply(sizes[k])));
          int j = k;
          h.result().thenRun(() -> ended.set(j, System.nanoTime()));
          jobs.add(h);
        }
        long last = start;
        for (JobHandle<Long> h : jobs) {
          h.result().toCompletableFuture().get(600, TimeUnit.SECONDS);
          last = Math.max(last, System.nanoTime());
        }
        long moves = 0;
        StringBuilder where = new StringBuilder();
        for (int k = 0; k < jobs.size(); k++) {
          JobInfo info = jobs.get(k).status().toCompletableFuture().get(10, TimeUnit.SECONDS);
          moves += info.migrations();
          where.append(String.format(java.util.Locale.ROOT, "%d ms: ended at %.2f s on %s, %d"
              + " moves%n", sizes[k], (ended.get(k) - start) / 1e9, info.host(),
              info.migrations()));
        }
        keepDecisions(cluster, specs.size(), migrate + "-" + placement, where.toString());
        return new Batch((last - start) / 1e9, moves);
      }
    }
  }

  /**
   * A node joins a busy cluster: seven nodes run long jobs, the eighth joins; how many gossip
   * intervals after it is Up does it run its fair share (its share of the capacity, of the
   * units running)?
   */
  static double join(List<NodeProcs.Spec> specs) throws Exception {
    List<NodeProcs.Spec> seven = specs.subList(0, specs.size() - 1);
    NodeProcs.Spec last = specs.get(specs.size() - 1);
    int units = 28;
    try (NodeProcs cluster = NodeProcs.start(seven, nodeOpts(), settings("on", "cost"))) {
      cluster.awaitCluster(Duration.ofSeconds(120));
      try (DriftClient client = DriftClient.connect(cluster.node(0))) {
        List<JobHandle<Long>> jobs = new ArrayList<>();
        for (int i = 0; i < units; i++) {
          jobs.add(client.submit(JobSpec.of(new EmulatedWork(600_000))));
        }
        for (JobHandle<Long> h : jobs) { // bounded: each waits at most 30 s to run
          long deadline = System.nanoTime() + 30_000_000_000L;
          while (h.status().toCompletableFuture().get(5, TimeUnit.SECONDS).host() == null
              && System.nanoTime() < deadline) {
            Thread.sleep(50);
          }
        }
        int i = cluster.add(last);
        cluster.awaitCluster(Duration.ofSeconds(120));
        long up = System.nanoTime();
        double capacity = 0;
        for (NodeProcs.Spec s : specs) {
          capacity += s.slots() * s.speed();
        }
        int fair = (int) Math.floor(units * last.slots() * last.speed() / capacity);
        double intervals = Double.NaN;
        long deadline = up + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
          if (runnable(cluster, i) >= fair) {
            intervals = (double) (System.nanoTime() - up) / INTERVAL_NANOS;
            break;
          }
          Thread.sleep(100);
        }
        System.err.printf("a node joining %d running units on %d nodes: fair share %d units,"
            + " reached after %.1f gossip intervals%n", units, seven.size(), fair, intervals);
        keepDecisions(cluster, specs.size(), "join", "the eighth node: " + cluster.node(i) + "\n");
        for (JobHandle<Long> h : jobs) {
          h.cancel();
        }
        return intervals;
      }
    }
  }

  private static final Pattern SELF_RUNNABLE = Pattern.compile("\"runnable\"\\s*:\\s*(\\d+)");

  /** Units running or waiting at node i, as it says of itself; 0 until it answers. */
  static int runnable(NodeProcs cluster, int i) throws Exception {
    HttpResponse<String> r;
    try {
      r = get(cluster, i, "/drift/nodes");
    } catch (java.io.IOException notYet) {
      return 0; // its management HTTP may bind a moment after others see it Up
    }
    String self = "\"node\" : \"" + cluster.node(i) + "\"";
    int at = r.body().indexOf(self);
    if (at < 0) {
      return 0;
    }
    Matcher m = SELF_RUNNABLE.matcher(r.body());
    return m.find(at) ? Integer.parseInt(m.group(1)) : 0;
  }

  /** Each node's decisions log and where each job ended, beside the node logs, to read later. */
  static void keepDecisions(NodeProcs cluster, int n, String label, String jobs) throws Exception {
    java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("drift.bench.logs",
        "bench/target/bench-logs"));
    java.nio.file.Files.writeString(dir.resolve("jobs-" + label + ".txt"), jobs);
    for (int i = 0; i < n; i++) {
      try {
        HttpResponse<String> r = get(cluster, i, "/drift/decisions");
        java.nio.file.Files.writeString(dir.resolve("decisions-" + label + "-node-" + i
            + ".json"), r.body());
      } catch (java.io.IOException e) {
        System.err.println("no decisions from node " + i + ": " + e);
      }
    }
  }

  /** Waits (bounded) until node 0's window holds every other node: placement can use them. */
  static void awaitGossip(NodeProcs cluster, int n, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get(cluster, 0, "/drift/nodes");
      if (!r.body().contains("\"gossipAge\" : -1") && count(r.body(), "\"gossipAge\"") == n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node 0 did not hear of every node within " + within);
  }

  /** A GET of node i's management HTTP. */
  static HttpResponse<String> get(NodeProcs cluster, int i, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + cluster.httpPort(i) + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static int count(String s, String what) {
    int c = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      c++;
    }
    return c;
  }
}
