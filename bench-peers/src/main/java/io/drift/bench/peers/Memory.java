package io.drift.bench.peers;

import io.drift.bench.NodeProcs.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Workload (e): one node's resident memory idle, and its live heap (after a full collection,
 * once the node has settled) per job with 100,000 jobs queued or homed there, and per unit
 * with 10,000 running there.
 */
final class Memory {
  private Memory() {}

  static final int QUEUED = 100_000;
  static final int RUNNING = 10_000;

  /**
   * @param queuedPeer a fresh system of one node whose jobs wait (Drift's batch queue;
   *     Ignite's pool queue behind its two slots)
   * @param runningPeer a fresh system of one node that runs {@link #RUNNING} units at once
   * @param runningSlots the slots that node needs to run them (Ignite: a thread each)
   */
  static Map<String, Object> measure(Supplier<Peer> queuedPeer, Supplier<Peer> runningPeer,
      int runningSlots, int queued, int running) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    try (Peer p = queuedPeer.get()) {
      p.start(List.of(new Spec(2, 1)), 1);
      Workloads.after(5); // let start-up settle before the idle figure
      ProcessHandle node = p.processes().get(0);
      m.put("idle_rss_mib", rssKib(node.pid()) / 1024.0);
      long before = liveHeap(node.pid());
      m.put("idle_live_heap_mib", before / 1048576.0);
      submit(p, queued);
      awaitBusy(p, queued, 2, 180);
      long atOnce = liveHeap(node.pid());
      long after = settledLiveHeap(node.pid(), atOnce);
      m.put("heap_bytes_per_queued_job", (double) (after - before) / queued);
      m.put("heap_bytes_per_queued_job_at_once", (double) (atOnce - before) / queued);
      m.put("rss_mib_with_queued", rssKib(node.pid()) / 1024.0);
    }
    try (Peer p = runningPeer.get()) {
      p.start(List.of(new Spec(runningSlots, 1)), 1);
      Workloads.after(5);
      ProcessHandle node = p.processes().get(0);
      long before = liveHeap(node.pid());
      long rssBefore = rssKib(node.pid());
      submit(p, running);
      int held = awaitBusy(p, running, running, 180);
      long after = settledLiveHeap(node.pid(), liveHeap(node.pid()));
      m.put("running_units_held", held);
      m.put("heap_bytes_per_running_unit", (double) (after - before) / held);
      m.put("rss_kib_per_running_unit", (double) (rssKib(node.pid()) - rssBefore) / held);
    } // closing stops the node: no need to cancel 10,000 jobs one by one
    return m;
  }

  private static void submit(Peer p, int n) throws Exception {
    Semaphore window = new Semaphore(Workloads.WINDOW);
    List<CompletableFuture<Long>> acks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      window.acquireUninterruptibly();
      acks.add(p.submit(0, Peer.Kind.HOLD, 0).whenComplete((r, e) -> window.release()));
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
  }

  /**
   * Waits (bounded) until the node holds the jobs: Drift's node counts them runnable (or the
   * submissions were all answered: queued jobs are held at home); Ignite's counts them running.
   */
  private static int awaitBusy(Peer p, int n, int expectBusy, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    int busy = 0;
    int last = -1;
    long steadySince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      busy = p.busy(0);
      if (busy >= Math.min(n, expectBusy)) {
        if (p instanceof IgnitePeer ip) {
          ip.awaitArrived(n, deadline);
        }
        return busy;
      }
      if (busy != last) {
        last = busy;
        steadySince = System.nanoTime();
      } else if (busy > 0 && System.nanoTime() - steadySince > 10_000_000_000L) {
        // a node that holds fewer (Drift refuses past drift.executor.max-runnable): measure
        // what it holds, and say so in running_units_held
        System.err.println(p.name() + ": node 0 holds " + busy + " of " + n + " units");
        return busy;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(p.name() + ": node 0 holds " + busy + " units, not "
        + Math.min(n, expectBusy));
  }

  /**
   * The live heap once the node has settled after a burst: what a job holds for as long as it
   * waits, not what the burst left in flight (Drift's queue writer was still 94,000 records
   * behind when the last submission was answered, each one a message and a timer). Reads
   * every 5 s until two readings are within 1% of each other, for at most a minute.
   */
  static long settledLiveHeap(long pid, long first) throws Exception {
    long last = first;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      Workloads.after(5);
      long now = liveHeap(pid);
      if (Math.abs(now - last) <= last / 100) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /** VmRSS of a process, KiB (Linux). */
  static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for " + pid);
  }

  /**
   * Bytes of live objects on a JVM's heap: {@code jcmd PID GC.class_histogram} collects in full
   * first, then counts every live object; its last line is the total.
   */
  static long liveHeap(long pid) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, "" + pid, "GC.class_histogram").redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " GC.class_histogram failed: " + out);
    }
    String[] lines = out.strip().split("\n");
    String[] last = lines[lines.length - 1].trim().split("\\s+");
    if (!last[0].equals("Total")) {
      throw new IOException("jcmd: no Total line: " + lines[lines.length - 1]);
    }
    return Long.parseLong(last[2]);
  }
}
