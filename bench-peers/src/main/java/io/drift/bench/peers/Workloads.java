package io.drift.bench.peers;

import io.drift.balancer.sim.Ideal;
import io.drift.bench.NodeProcs.Spec;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** The workloads (a) to (d) of issue 9, the same for every system; (e) is {@link Memory}. */
final class Workloads {
  private Workloads() {}

  /** Eight nodes of mixed emulated speed; the eighth joins in (c) and is drained in (d). */
  static final double[] SPEEDS = {1, 2, 4, 1, 2, 4, 1, 2};
  static final int SLOTS = 2;
  /** Submissions in flight per client in (a): the same window for every system. */
  static final int WINDOW = 200;
  /** The bound of one run of (a): a lost answer ends the benchmark with an error. */
  static final int PLACEMENTS_WITHIN_MIN = 10;
  /** Seconds of idle before (a), to measure what the system spends doing nothing. */
  static final double IDLE_S = 5;
  /**
   * Seconds every system rests before each batch (b)-(d), so that a batch meets a cluster at
   * rest, not the tail of the workload before it. (c) came right after (a)'s 100,000
   * placements, while Drift's nodes still told the others the run queues (a) had left: the
   * load a node tells others drops by an eighth per sample (MOSIX's slow decay, on purpose),
   * so from 100 units to under one takes about 4 s at the benchmark's 100 ms samples, and
   * gossip adds up to 1 s. In two runs of three the batch then went to the 3-4 nodes that
   * looked idle, and moving it back doubled the moves (docs/performance.md). Ignite's metrics
   * lag too (updated every second); every system gets the same rest.
   */
  static final double QUIET_S = 8;

  static List<Spec> specs(int n) {
    List<Spec> s = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      s.add(new Spec(SLOTS, SPEEDS[i]));
    }
    return s;
  }

  // ------------------------------------------------------------------ the trace of (b)-(d)

  static final int JOBS = 64;
  static final long SEED = 20261205L;
  static final double ALPHA = 1.1;
  static final double MIN_S = 0.3;
  static final double MAX_S = 30;

  /**
   * (c) runs the trace with every job this many times as long: the batch must outlast a node's
   * start (a JVM on a busy two-core machine takes 5 to 30 s to be counted in) for a join to
   * matter at all. The same for every system.
   */
  static final int JOIN_SCALE = 10;

  static long[] scaled(long[] ms, int k) {
    return Arrays.stream(ms).map(m -> m * k).toArray();
  }

  /**
   * Heavy-tailed sizes: a bounded Pareto (shape 1.1, 0.3 s to 30 s of reference work), as
   * measured process lifetimes are (Harchol-Balter and Downey; MOSIX-NOTES), in reference
   * milliseconds, seeded. Chosen before any run and not changed after.
   */
  static long[] trace() {
    SplittableRandom r = new SplittableRandom(SEED);
    long[] ms = new long[JOBS];
    double la = Math.pow(MIN_S, ALPHA);
    double ha = Math.pow(MAX_S, ALPHA);
    for (int i = 0; i < JOBS; i++) {
      double u = r.nextDouble();
      double x = Math.pow(-(u * ha - u * la - ha) / (ha * la), -1 / ALPHA);
      ms[i] = Math.max(1, Math.round(x * 1000));
    }
    return ms;
  }

  /** The preemptive optimum of the trace on these nodes (free moves, sizes known). */
  static double optimum(List<Spec> nodes, long[] sizes) {
    double[] slotSpeeds = nodes.stream().flatMapToDouble(s -> java.util.stream.DoubleStream
        .generate(s::speed).limit(s.slots())).toArray();
    double[] seconds = Arrays.stream(sizes).mapToDouble(m -> m / 1000.0).toArray();
    return Ideal.batchOptimum(slotSpeeds, seconds);
  }

  // ------------------------------------------------------------------------- (a) placements

  /**
   * {@code n} empty units from {@code clients} clients at once, each keeping {@link #WINDOW}
   * in flight: placements a second (submit of the first to start of the last), submit-to-start
   * latency, and the CPU time of every process of the system (nodes and the runner with its
   * clients) per placement: beyond what the system spends idle over the same time, and gross.
   * The idle CPU is the lower of the 5 s just before and {@code atRest} (the system's CPU at
   * rest after its warm-up, in cores): the JVMs may still be compiling what the last workload
   * ran, and that is not idling, and taking it out would flatter the placements.
   */
  static Map<String, Object> placements(Peer peer, int clients, int n, double atRest)
      throws Exception {
    long[] latency = new long[n];
    AtomicLong failed = new AtomicLong();
    AtomicLong lastStart = new AtomicLong();
    // the system's CPU while it idles (gossip, heartbeats, metrics), to take out of the
    // placements' own: a cluster of seven JVMs spends a share of two cores doing nothing
    long idle0 = cpuNanos(peer);
    long i0 = System.nanoTime();
    after(IDLE_S);
    double idlePerNano = Math.min(atRest,
        (double) (cpuNanos(peer) - idle0) / (System.nanoTime() - i0));
    long cpu0 = cpuNanos(peer);
    long t0 = System.nanoTime();
    // one deadline for the whole workload: a submission whose answer never comes holds its
    // window slot, and the client stops at the deadline instead of waiting forever
    long deadline = t0 + TimeUnit.MINUTES.toNanos(PLACEMENTS_WITHIN_MIN);
    AtomicLong stuck = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    java.util.Queue<CompletableFuture<?>> all = new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int c = 0; c < clients; c++) {
      int client = c;
      Thread t = new Thread(() -> {
        Semaphore window = new Semaphore(WINDOW);
        for (int i = client; i < n; i += clients) {
          try {
            if (!window.tryAcquire(Math.max(0, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS)) {
              stuck.addAndGet((n - i + clients - 1) / clients);
              return;
            }
          } catch (InterruptedException e) {
            return;
          }
          int at = i;
          long submitted = System.nanoTime();
          CompletableFuture<Long> f;
          try {
            f = peer.submit(client, Peer.Kind.STAMP, 0);
          } catch (RuntimeException e) {
            failed.incrementAndGet();
            latency[at] = -1;
            window.release();
            continue;
          }
          all.add(f.whenComplete((started, e) -> {
            if (e != null) {
              failed.incrementAndGet();
              latency[at] = -1;
            } else {
              latency[at] = started - submitted;
              lastStart.accumulateAndGet(started, Math::max);
            }
            window.release();
          }));
        }
      }, "client-" + c);
      t.setDaemon(true); // a client stuck past the deadline must not keep the runner alive
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
          .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // counted below
    }
    long unanswered = stuck.get() + all.stream().filter(f -> !f.isDone()).count();
    if (unanswered > 0) {
      throw new IllegalStateException(peer.name() + ": " + unanswered + " of " + n
          + " placements had no answer within " + PLACEMENTS_WITHIN_MIN + " minutes ("
          + failed.get() + " failed)");
    }
    long elapsed = lastStart.get() - t0;
    long cpu = cpuNanos(peer) - cpu0;
    long wall = System.nanoTime() - t0;
    long[] ok = Arrays.stream(latency).filter(l -> l >= 0).sorted().toArray();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("placements_per_s", n / (elapsed / 1e9));
    m.put("p50_submit_to_start_ms", ok.length == 0 ? Double.NaN : ok[ok.length / 2] / 1e6);
    m.put("p99_submit_to_start_ms", ok.length == 0 ? Double.NaN
        : ok[(int) Math.min(ok.length - 1, Math.ceil(ok.length * 0.99) - 1)] / 1e6);
    m.put("cpu_us_per_placement", Math.max(0, cpu - idlePerNano * wall) / 1e3 / n);
    m.put("cpu_us_per_placement_gross", cpu / 1e3 / n);
    m.put("idle_cpu_cores", idlePerNano);
    m.put("failed", failed.get());
    return m;
  }

  /**
   * Waits, at most {@code maxSeconds}, until the system's CPU at rest stops falling from one
   * 3 s window to the next (within a tenth): JVMs that have just run a workload for the first
   * time compile it for a minute after, and that is not what they spend at rest. The same
   * for every system; returns the last window's CPU in cores.
   */
  static double settle(Peer peer, double maxSeconds) {
    long end = System.nanoTime() + (long) (maxSeconds * 1e9);
    double last = Double.MAX_VALUE;
    while (true) {
      long c0 = cpuNanos(peer);
      long t0 = System.nanoTime();
      after(3);
      double cores = (double) (cpuNanos(peer) - c0) / (System.nanoTime() - t0);
      if (cores >= last * 0.9 || System.nanoTime() > end) {
        return cores;
      }
      last = cores;
    }
  }

  /** CPU time so far of the system's node processes and of this JVM (its clients). */
  static long cpuNanos(Peer peer) {
    long total = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    for (ProcessHandle p : peer.processes()) {
      total += p.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }
    return total;
  }

  // ---------------------------------------------------------------------- (b) the batch

  /** What a workload does while the batch runs: (c) adds a node, (d) drains one. */
  interface Meanwhile {
    void during(List<CompletableFuture<Long>> jobs) throws Exception;
  }

  /**
   * The batch released at node 0 (client 0) at once, after {@link #QUIET_S} of rest; its
   * figures once every job ended.
   */
  static Map<String, Object> batch(Peer peer, long[] sizes, double optimum, Meanwhile meanwhile)
      throws Exception {
    after(QUIET_S);
    long t0 = System.nanoTime();
    AtomicLongArray ended = new AtomicLongArray(sizes.length);
    List<CompletableFuture<Long>> jobs = new ArrayList<>();
    for (int k = 0; k < sizes.length; k++) {
      int j = k;
      jobs.add(peer.submit(0, Peer.Kind.EMULATED, sizes[k])
          .whenComplete((r, e) -> ended.set(j, System.nanoTime())));
    }
    if (meanwhile != null) {
      meanwhile.during(jobs);
    }
    long wrong = 0;
    for (int k = 0; k < jobs.size(); k++) {
      Long r = jobs.get(k).get(10, TimeUnit.MINUTES);
      if (r != sizes[k]) { // emulated work returns the work done: all of it, once
        wrong++;
      }
    }
    double fastest = Arrays.stream(SPEEDS).max().orElseThrow();
    double makespan = 0;
    double slowdown = 0;
    for (int k = 0; k < sizes.length; k++) {
      double response = (ended.get(k) - t0) / 1e9;
      makespan = Math.max(makespan, response);
      // against the job alone on the fastest slot
      slowdown += response / (sizes[k] / 1000.0 / fastest);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("makespan_s", makespan);
    m.put("makespan_over_optimum", makespan / optimum);
    m.put("mean_slowdown", slowdown / sizes.length);
    m.put("running_moves", peer.runningMoves());
    m.put("wrong_results", wrong);
    return m;
  }

  /** Bounded pause on the runner's schedule (not a wait for a condition). */
  static void after(double seconds) {
    try {
      Thread.sleep((long) (seconds * 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
