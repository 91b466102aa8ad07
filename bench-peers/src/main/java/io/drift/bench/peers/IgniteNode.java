package io.drift.bench.peers;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;

/**
 * One Ignite server node as its own process: {@code IgniteNode MODE NAME SLOTS DISCOVERY_PORT
 * COMMUNICATION_PORT HTTP_PORT} (its speed is the {@code drift.node.speed} property). A small
 * loopback HTTP port answers the runner: {@code GET /stats} (jobs running here, work thrown
 * away), {@code POST /drain} (stop gracefully: Ignition.stop(cancel = false) waits for the jobs
 * here to end, as Ignite's documentation describes taking a node out; then the process exits).
 */
public final class IgniteNode {
  private IgniteNode() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 6) {
      System.err.println("usage: IgniteNode DEFAULTS|STEALING NAME SLOTS DISCOVERY_PORT"
          + " COMMUNICATION_PORT HTTP_PORT");
      System.exit(2);
    }
    IgniteSetup.quiet();
    IgniteSetup.Mode mode = IgniteSetup.Mode.valueOf(args[0]);
    String name = args[1];
    int slots = Integer.parseInt(args[2]);
    Ignite ignite = Ignition.start(IgniteSetup.config(mode, name, false, slots,
        Integer.parseInt(args[3]), Integer.parseInt(args[4])));
    HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1",
        Integer.parseInt(args[5])), 16);
    http.createContext("/stats", x -> answer(x, stats() + " jobs=" + jobs(ignite)));
    http.createContext("/drain", x -> {
      answer(x, "draining");
      Thread stop = new Thread(() -> {
        Ignition.stop(ignite.name(), false);
        System.out.println("FINAL " + stats());
        System.out.flush();
        System.exit(0);
      }, "drain");
      stop.start();
    });
    http.start();
    System.out.println("READY " + name);
    System.out.flush();
  }

  /**
   * Jobs this node holds: those waiting in its collision SPI's queue (the job counters of
   * registry {@code compute.jobs}), and those handed to the public pool, running or in the
   * pool's queue. With the default collision SPI every job is handed to the pool on arrival and
   * waits in the pool's queue, which the job counters do not see (nor the node's ClusterMetrics,
   * a periodic snapshot: they counted none of 10,000 such jobs for three minutes).
   */
  static long jobs(Ignite ignite) {
    org.apache.ignite.internal.GridKernalContext ctx =
        ((org.apache.ignite.internal.IgniteEx) ignite).context();
    org.apache.ignite.spi.metric.LongMetric waiting =
        ctx.metric().registry("compute.jobs").findMetric("Waiting");
    if (waiting == null
        || !(ctx.pools().getExecutorService() instanceof java.util.concurrent.ThreadPoolExecutor p)) {
      throw new IllegalStateException("this Ignite has no compute.jobs.Waiting metric, or its"
          + " public pool is no ThreadPoolExecutor");
    }
    return waiting.value() + p.getQueue().size() + p.getActiveCount();
  }

  static String stats() {
    return "running=" + IgniteJobs.RUNNING.get() + " abandoned_ms="
        + IgniteJobs.ABANDONED_MILLIS.get() + " abandoned_jobs=" + IgniteJobs.ABANDONED_JOBS.get()
        + " completed=" + IgniteJobs.COMPLETED.get();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange x, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(200, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }
}
