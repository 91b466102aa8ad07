package io.drift.bench.peers;

import io.drift.balancer.sim.Json;
import io.drift.bench.NodeProcs.Spec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code bin/drift-bench peers [--quick] [--runs N]} (issue 9): Drift with migration, Drift
 * placing only, Ignite with job stealing and adaptive load balancing, Ignite with its defaults,
 * and a ForkJoinPool, each in turn on the same machine with the same seeded trace, through each
 * one's own client API. Per system: seven node processes, four clients, a warm-up; then the
 * runs (one by default, {@code --runs N}) of (a) 100,000 empty units from one client and from
 * four, back to back; then the runs of (c) the heavy-tailed batch (its jobs ten times as long)
 * with an eighth node joining 2 s in, (b) the batch on the eight, (d) the batch with the eighth
 * drained 2 s in; then (e) memory on fresh one-node systems. Prints progress on stderr and one
 * line of JSON (medians, and the ratios of Drift to its peers) last on stdout.
 */
public final class PeersBench {
  private PeersBench() {}

  /** The same JVM options for every node of every system: eight JVMs share two cores. */
  static final List<String> NODE_OPTS = nodeOpts();

  /** -Ddrift.bench.peers.node-opts adds options (a profiler, say) to every node's JVM. */
  private static List<String> nodeOpts() {
    List<String> o = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC"));
    String more = System.getProperty("drift.bench.peers.node-opts", "").trim();
    if (!more.isEmpty()) {
      o.addAll(List.of(more.split("\\s+")));
    }
    return List.copyOf(o);
  }

  /** At most this long after the warm-up for the system's CPU at rest to settle. */
  static final double SETTLE_S = 30;
  /**
   * Warm-up iterations of (a), as JMH's: at least two, and more until two in a row place from
   * one client within {@link #WARM_WITHIN} of each other, at most this many.
   */
  static final int WARMUPS_MAX = 5;
  static final double WARM_WITHIN = 0.10;

  static final String DRIFT = "drift";
  static final String DRIFT_PLACEMENT = "drift_placement_only";
  static final String IGNITE = "ignite_stealing";
  static final String IGNITE_DEFAULTS = "ignite_defaults";
  static final String POOL = "forkjoinpool";

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable e) {
      // the nodes are closed by then; a thread of a client library must not keep this JVM up
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  private static void run(String[] args) throws Exception {
    System.setProperty("drift.log.root", System.getProperty("drift.log.root", "ERROR"));
    System.setProperty("drift.log.drift", System.getProperty("drift.log.drift", "WARN"));
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("drift-bench peers: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    // Ignite's client in this JVM prints its progress on stdout: stdout is kept for the summary
    java.io.PrintStream summaryOut = System.out;
    System.setOut(System.err);
    boolean quick = o.quick();
    int runs = o.runs();
    int placements = o.placements();
    long t0 = System.nanoTime();
    long[] sizes = Workloads.trace();
    double opt8 = Workloads.optimum(Workloads.specs(8), sizes);
    double opt7 = Workloads.optimum(Workloads.specs(7), sizes);
    long[] longSizes = Workloads.scaled(sizes, Workloads.JOIN_SCALE);
    double optJoin = Workloads.optimum(Workloads.specs(8), longSizes);
    System.err.printf(Locale.ROOT, "trace: %d jobs, %.1f s of reference work, largest %.1f s;"
        + " preemptive optimum on 8 nodes %.2f s, on 7 %.2f s%n", sizes.length,
        Arrays.stream(sizes).sum() / 1000.0, Arrays.stream(sizes).max().orElseThrow() / 1000.0,
        opt8, opt7);

    Map<String, Supplier<Peer>> systems = new LinkedHashMap<>();
    systems.put(DRIFT, () -> new DriftPeer(DRIFT, true, NODE_OPTS, List.of(), null));
    systems.put(DRIFT_PLACEMENT, () -> new DriftPeer(DRIFT_PLACEMENT, false, NODE_OPTS,
        List.of(), null));
    systems.put(IGNITE, () -> new IgnitePeer(IGNITE, IgniteSetup.Mode.STEALING, NODE_OPTS));
    systems.put(IGNITE_DEFAULTS, () -> new IgnitePeer(IGNITE_DEFAULTS,
        IgniteSetup.Mode.DEFAULTS, NODE_OPTS));
    systems.put(POOL, PoolPeer::new);

    // system -> workload -> metric -> one value per run
    Map<String, Map<String, Map<String, List<Object>>>> all = new LinkedHashMap<>();
    Map<String, Object> warmups = new LinkedHashMap<>();
    systems.keySet().retainAll(o.systems());
    for (Map.Entry<String, Supplier<Peer>> e : systems.entrySet()) {
      Map<String, Map<String, List<Object>>> mine = new LinkedHashMap<>();
      all.put(e.getKey(), mine);
      long s0 = System.nanoTime();
      try (Peer peer = started(e.getValue())) {
        System.err.printf("%s: started in %.1f s%n", peer.name(), (System.nanoTime() - s0) / 1e9);
        // (a) in full, not counted, as JMH's warm-up iterations, until the rate from one client
        // settles: seven JVMs just started on two cores go on compiling the placement path for
        // hundreds of thousands of placements (after one iteration, Drift's nodes still
        // compiled 400-900 methods each per counted run, and each run placed faster than the
        // one before), and compiling counts as placement cost, and in the idle CPU that (a)
        // takes out
        boolean countsA = !e.getKey().equals(DRIFT_PLACEMENT);
        if (countsA) {
          warmups.put(e.getKey(), warmUp(peer, placements));
        } else {
          // runs no (a): a tenth of it warms up the path (b) to (d) take, and takes no minutes
          Workloads.placements(peer, 4, placements / 10, Double.MAX_VALUE);
        }
        double rest = Workloads.settle(peer, SETTLE_S);
        System.err.printf(Locale.ROOT, "%s: warmed up in %.1f s (at rest: %.2f cores)%n",
            peer.name(), (System.nanoTime() - s0) / 1e9, rest);
        // every counted run of (a) back to back, right after the warm-up, and only then the
        // batches: JMH's order (warm-up, then the measured iterations of one benchmark). With
        // each run's (a) after the run before's batches, run 2's (a) took 3.2-4.4 times run
        // 1's CPU for Ignite with stealing in each of four full sets (55 against 241 µs), and
        // no run stood out in the sets of (a) alone: what the JVMs did after the batches
        // (compiling anew, most likely) was counted as placing (decision 0025)
        // Drift placing only runs empty units by the very same path (they end in their first
        // step, before any move could be weighed): (a) is run once, as "drift"
        for (int r = 0; countsA && r < runs; r++) {
          add(mine, "a_one_client", Workloads.placements(peer, 1, placements, rest));
          add(mine, "a_four_clients", Workloads.placements(peer, 4, placements, rest));
          System.err.printf("%s (a) run %d: %s%n", peer.name(), r + 1,
              lastOf(mine, "a_one_client", "a_four_clients"));
        }
        // --placements-only: (a) alone, a quicker loop while working on the placement path
        for (int r = 0; !o.placementsOnly() && r < runs; r++) {
          if (peer.clustered()) {
            int[] joined = new int[1];
            Map<String, Object> join = new LinkedHashMap<>();
            Map<String, Object> c = Workloads.batch(peer, longSizes, optJoin,
                jobs -> joined[0] = join(peer, jobs, join));
            c.putAll(join);
            add(mine, "c_join", c);
            add(mine, "b_batch", Workloads.batch(peer, sizes, opt8, null));
            Map<String, Object> drain = new LinkedHashMap<>();
            Map<String, Object> d = Workloads.batch(peer, sizes, opt8, jobs -> {
              Workloads.after(2);
              Peer.Drained x = peer.drain(joined[0]);
              drain.put("drain_s", x.seconds());
              drain.put("lost_work_ms", (double) x.lostMillis());
              drain.put("restarted_jobs", (double) x.restartedJobs());
            });
            d.putAll(drain);
            add(mine, "d_drain", d);
          } else {
            add(mine, "b_batch", Workloads.batch(peer, sizes, opt8, null));
          }
          System.err.printf("%s (b)-(d) run %d: %s%n", peer.name(), r + 1,
              lastOf(mine, "c_join", "b_batch", "d_drain"));
        }
      }
      System.err.printf("%s: done in %.1f s%n", e.getKey(), (System.nanoTime() - s0) / 1e9);
    }

    // (e) memory: one node with the default settings of each system
    Map<String, Map<String, Object>> memory = new LinkedHashMap<>();
    if (o.memory()) {
      memory(memory, quick);
    }

    Map<String, Object> out = summary(all, memory, opt8, opt7);
    out.put("runs", runs);
    out.put("warmup_iterations", warmups);
    out.put("placements", placements);
    out.put("trace", Map.of("jobs", sizes.length, "seed", Workloads.SEED, "pareto_shape",
        Workloads.ALPHA, "min_s", Workloads.MIN_S, "max_s", Workloads.MAX_S));
    out.put("setup", "each system in turn: 7 node processes (" + String.join(" ", NODE_OPTS)
        + "), speeds 1 2 4 1 2 4 1 emulated, " + Workloads.SLOTS + " slots each, 4 clients in"
        + " the runner; the 8th node (speed 2) joins in (c) and is drained in (d); memory: one"
        + " node with each system's default JVM settings (Drift's: conf/jvm.options)");
    out.put("drift_placement", DriftPeer.placement());
    out.put("wall_s", (System.nanoTime() - t0) / 1e9);
    out.put("machine", machine());
    summaryOut.println(Json.of(out));
    summaryOut.flush();
  }

  /**
   * Runs (a) uncounted, from one client then four, until two iterations in a row place from
   * one client within {@link #WARM_WITHIN} of each other (at most {@link #WARMUPS_MAX});
   * returns the number of iterations.
   */
  private static int warmUp(Peer peer, int placements) throws Exception {
    double before = Double.NaN;
    for (int i = 1; ; i++) {
      double rate = ((Number) Workloads.placements(peer, 1, placements, Double.MAX_VALUE)
          .get("placements_per_s")).doubleValue();
      Workloads.placements(peer, 4, placements, Double.MAX_VALUE);
      System.err.printf(Locale.ROOT, "%s: warm-up %d: %.0f placements/s from one client%n",
          peer.name(), i, rate);
      if (i == WARMUPS_MAX || (i >= 2 && Math.abs(rate - before) <= WARM_WITHIN * before)) {
        return i;
      }
      before = rate;
    }
  }

  /**
   * A system started, seven nodes and four clients; tried twice: a free port found for a node
   * can be taken by another process before the node binds it, and then that node dies at start.
   */
  private static Peer started(Supplier<Peer> system) throws Exception {
    for (int attempt = 1; ; attempt++) {
      Peer peer = system.get();
      try {
        peer.start(Workloads.specs(peer.clustered() ? 7 : 8), 4);
        return peer;
      } catch (Exception failed) {
        peer.close();
        if (attempt == 2) {
          throw failed;
        }
        System.err.println(peer.name() + ": did not start (" + failed.getMessage()
            + "); once more");
      }
    }
  }

  /** (e): one node of each system with its default settings, queued jobs, then running units. */
  private static void memory(Map<String, Map<String, Object>> memory, boolean quick)
      throws Exception {
    List<String> driftDefaults = List.of("@" + driftJvmOptions());
    memory.put(DRIFT, Memory.measure(
        () -> new DriftPeer("drift-queued", true, driftDefaults, List.of(), 0),
        () -> new DriftPeer("drift-running", true, driftDefaults, List.of(), null), 2,
        quick ? 10_000 : Memory.QUEUED, quick ? 2_000 : Memory.RUNNING));
    System.err.println("memory, drift: " + memory.get(DRIFT));
    memory.put(IGNITE_DEFAULTS, Memory.measure(
        () -> new IgnitePeer("ignite-queued", IgniteSetup.Mode.DEFAULTS, List.of()),
        () -> new IgnitePeer("ignite-running", IgniteSetup.Mode.DEFAULTS, List.of()),
        quick ? 2_000 : Memory.RUNNING, quick ? 10_000 : Memory.QUEUED,
        quick ? 2_000 : Memory.RUNNING));
    System.err.println("memory, ignite: " + memory.get(IGNITE_DEFAULTS));
  }

  /** conf/jvm.options: a Drift node's default JVM options, as bin/drift passes them. */
  private static String driftJvmOptions() {
    String file = System.getProperty("drift.bench.drift-jvm-options");
    if (file == null || !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file))) {
      throw new IllegalStateException("drift.bench.drift-jvm-options is not set to a file ("
          + file + "): run through bin/drift-bench peers");
    }
    return file;
  }

  /** The command line: the whole comparison by default; parts of it to look into one. */
  record Options(boolean quick, int runs, int placements, List<String> systems, boolean memory,
      boolean placementsOnly) {
    static final List<String> ALL = List.of(DRIFT, DRIFT_PLACEMENT, IGNITE, IGNITE_DEFAULTS, POOL);
    static final String USAGE = "usage: drift-bench peers [--quick] [--runs N] [--placements N]"
        + " [--systems " + String.join(",", ALL) + "] [--no-memory | --memory-only]"
        + " [--placements-only]";

    static Options parse(String[] args) {
      boolean quick = false;
      Integer runs = null;
      Integer placements = null;
      List<String> systems = ALL;
      boolean memory = true;
      boolean memoryOnly = false;
      boolean placementsOnly = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> quick = true;
          case "--no-memory" -> memory = false;
          case "--memory-only" -> memoryOnly = true;
          case "--placements-only" -> placementsOnly = true;
          case "--runs" -> runs = positive(a, value(args, ++i, a));
          case "--placements" -> placements = positive(a, value(args, ++i, a));
          case "--systems" -> {
            systems = List.of(value(args, ++i, a).split(","));
            for (String s : systems) {
              if (!ALL.contains(s)) {
                throw new IllegalArgumentException("no system '" + s + "'; there are "
                    + String.join(", ", ALL));
              }
            }
          }
          default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
      }
      if (memoryOnly) {
        if (!memory) {
          throw new IllegalArgumentException("--memory-only and --no-memory leave nothing to run");
        }
        systems = List.of(); // (e) only: its nodes are fresh one-node systems of their own
      }
      // one run by default: the whole comparison in under 30 minutes (issue 9); medians of
      // three runs with --runs 3, about three times as long
      return new Options(quick, runs != null ? runs : 1,
          placements != null ? placements : quick ? 10_000 : 100_000, systems, memory,
          placementsOnly);
    }

    private static String value(String[] args, int i, String flag) {
      if (i >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      return args[i];
    }

    private static int positive(String flag, String v) {
      try {
        int n = Integer.parseInt(v);
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // said below
      }
      throw new IllegalArgumentException(flag + " takes a positive whole number, not '" + v + "'");
    }
  }

  /**
   * (c): 2 s after the release, an eighth node (speed 2) starts; from the moment the system
   * counts it in, how long until it runs its fair share of the work: its share of the capacity
   * times the jobs not yet ended, rounded up, at most its slots. NaN: never within the batch.
   */
  static int join(Peer peer, List<CompletableFuture<Long>> jobs, Map<String, Object> out)
      throws Exception {
    Workloads.after(2);
    long t = System.nanoTime();
    Spec spec = new Spec(Workloads.SLOTS, Workloads.SPEEDS[7]);
    int i = peer.add(spec);
    long up = System.nanoTime();
    double capacity = Workloads.specs(8).stream().mapToDouble(s -> s.slots() * s.speed()).sum();
    long open = jobs.stream().filter(f -> !f.isDone()).count();
    // rounded up: while any job is open, a node that runs none has not reached its share
    // (rounded down, a node counted in late had a share of 0, reached at once)
    int fair = (int) Math.min(spec.slots(), Math.ceil(open * spec.slots() * spec.speed()
        / capacity));
    double reached = Double.NaN;
    int peak = 0; // the most it ran at once: how near the share a node that never reached it came
    while (fair > 0 && jobs.stream().anyMatch(f -> !f.isDone())) {
      int busy = peer.busy(i);
      peak = Math.max(peak, busy);
      if (busy >= fair && Double.isNaN(reached)) {
        reached = (System.nanoTime() - up) / 1e9;
      }
      Thread.sleep(50);
    }
    out.put("join_up_s", (up - t) / 1e9);
    out.put("join_open_jobs", (double) open);
    out.put("join_fair_share", (double) fair);
    out.put("join_fair_share_s", reached); // NaN too if the batch ended before it was in
    out.put("join_peak_running", (double) peak);
    return i;
  }

  private static void add(Map<String, Map<String, List<Object>>> mine, String workload,
      Map<String, Object> run) {
    Map<String, List<Object>> w = mine.computeIfAbsent(workload, k -> new LinkedHashMap<>());
    run.forEach((k, v) -> w.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
  }

  /** The latest run's figures of these workloads. */
  private static String lastOf(Map<String, Map<String, List<Object>>> mine, String... workloads) {
    Map<String, Object> last = new LinkedHashMap<>();
    for (String w : workloads) {
      Map<String, List<Object>> metrics = mine.get(w);
      if (metrics != null) {
        Map<String, Object> m = new LinkedHashMap<>();
        metrics.forEach((k, v) -> m.put(k, v.get(v.size() - 1)));
        last.put(w, m);
      }
    }
    return Json.of(last);
  }

  /** The median of each metric over the runs (NaN runs count: "never" is a result). */
  static Map<String, Object> medians(Map<String, Map<String, List<Object>>> mine) {
    Map<String, Object> out = new LinkedHashMap<>();
    mine.forEach((w, metrics) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      metrics.forEach((k, v) -> m.put(k, median(v)));
      out.put(w, m);
    });
    return out;
  }

  static double median(List<Object> values) {
    double[] xs = values.stream().mapToDouble(o -> ((Number) o).doubleValue())
        .map(x -> Double.isNaN(x) ? Double.POSITIVE_INFINITY : x).sorted().toArray();
    double m = xs.length % 2 == 1 ? xs[xs.length / 2]
        : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2;
    return Double.isInfinite(m) ? Double.NaN : m;
  }

  @SuppressWarnings("unchecked")
  static double get(Map<String, Object> medians, String system, String workload, String key) {
    Map<String, Object> s = (Map<String, Object>) medians.get(system);
    if (s == null || !s.containsKey(workload)) {
      return Double.NaN;
    }
    Object v = ((Map<String, Object>) s.get(workload)).get(key);
    return v == null ? Double.NaN : ((Number) v).doubleValue();
  }

  static Map<String, Object> summary(Map<String, Map<String, Map<String, List<Object>>>> all,
      Map<String, Map<String, Object>> memory, double opt8, double opt7) {
    Map<String, Object> med = new LinkedHashMap<>();
    all.forEach((s, mine) -> med.put(s, medians(mine)));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("placements_per_s_one_client", get(med, DRIFT, "a_one_client", "placements_per_s"));
    out.put("placements_per_s_four_clients",
        get(med, DRIFT, "a_four_clients", "placements_per_s"));
    out.put("cpu_us_per_placement", get(med, DRIFT, "a_one_client", "cpu_us_per_placement"));
    out.put("p50_submit_to_start_ms", get(med, DRIFT, "a_one_client", "p50_submit_to_start_ms"));
    out.put("p99_submit_to_start_ms", get(med, DRIFT, "a_one_client", "p99_submit_to_start_ms"));
    double driftMakespan = get(med, DRIFT, "b_batch", "makespan_s");
    out.put("makespan_ratio_vs_ignite", driftMakespan / get(med, IGNITE, "b_batch",
        "makespan_s"));
    out.put("makespan_ratio_vs_ignite_defaults", driftMakespan / get(med, IGNITE_DEFAULTS,
        "b_batch", "makespan_s"));
    out.put("makespan_ratio_vs_pool", driftMakespan / get(med, POOL, "b_batch", "makespan_s"));
    out.put("makespan_over_optimum_drift", driftMakespan / opt8);
    out.put("join_fair_share_s_drift", get(med, DRIFT, "c_join", "join_fair_share_s"));
    out.put("join_fair_share_s_ignite", get(med, IGNITE, "c_join", "join_fair_share_s"));
    out.put("drain_s_drift", get(med, DRIFT, "d_drain", "drain_s"));
    out.put("drain_s_ignite", get(med, IGNITE, "d_drain", "drain_s"));
    out.put("drain_lost_work_ms_ignite", get(med, IGNITE, "d_drain", "lost_work_ms"));
    Map<String, Object> drift = memory.getOrDefault(DRIFT, Map.of());
    out.put("idle_rss_mib", drift.get("idle_rss_mib"));
    out.put("heap_bytes_per_queued_job", drift.get("heap_bytes_per_queued_job"));
    out.put("heap_bytes_per_running_unit", drift.get("heap_bytes_per_running_unit"));
    Map<String, Object> ignite = memory.getOrDefault(IGNITE_DEFAULTS, Map.of());
    out.put("idle_rss_mib_ignite", ignite.get("idle_rss_mib"));
    out.put("heap_bytes_per_queued_job_ignite", ignite.get("heap_bytes_per_queued_job"));
    out.put("heap_bytes_per_running_unit_ignite", ignite.get("heap_bytes_per_running_unit"));
    out.put("optimum_s", Map.of("eight_nodes", opt8, "seven_nodes", opt7));
    out.put("join_scale", Workloads.JOIN_SCALE);
    out.put("medians", med);
    out.put("memory", memory);
    return out;
  }

  static Map<String, Object> machine() {
    Map<String, Object> m = new TreeMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("java", System.getProperty("java.version"));
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
    return m;
  }
}
