package io.drift.bench.peers;

import io.drift.bench.NodeProcs.Spec;
import io.drift.node.LocalCluster;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCompute;
import org.apache.ignite.Ignition;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.lang.IgniteFuture;

/**
 * Apache Ignite 2.x: server nodes as processes ({@link IgniteNode}), clients as Ignite client
 * nodes in the runner's JVM submitting through {@code IgniteCompute.callAsync} over the server
 * nodes, so that Ignite's own load balancing places every job.
 */
final class IgnitePeer implements Peer {

  private final String name;
  private final IgniteSetup.Mode mode;
  private final List<String> javaOpts;
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> httpPorts = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<Ignite> clients = new ArrayList<>();
  private final List<IgniteCompute> computes = new ArrayList<>();
  private final ConcurrentLinkedQueue<IgniteFuture<Long>> holding = new ConcurrentLinkedQueue<>();
  private int discoveryPort;
  private int communicationPort;
  private static int instances; // client instance names must be unique in this JVM

  IgnitePeer(String name, IgniteSetup.Mode mode, List<String> javaOpts) {
    this.name = name;
    this.mode = mode;
    this.javaOpts = javaOpts;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start(List<Spec> specs, int clientCount) throws Exception {
    IgniteSetup.quiet();
    discoveryPort = freeRange(IgniteSetup.DISCOVERY_RANGE);
    communicationPort = freeRange(IgniteSetup.DISCOVERY_RANGE * 5);
    for (Spec s : specs) {
      startNode(s);
    }
    for (int k = 0; k < clientCount; k++) {
      Ignite c = Ignition.start(IgniteSetup.config(mode, "client-" + (instances++), true, 0,
          discoveryPort, communicationPort));
      clients.add(c);
      computes.add(c.compute(c.cluster().forServers()));
    }
    awaitServers(specs.size(), Duration.ofSeconds(180));
  }

  private void startNode(Spec s) throws IOException {
    int i = processes.size();
    int http = LocalCluster.freePorts(1).get(0);
    Path dir = Path.of(System.getProperty("drift.bench.logs", "bench/target/bench-logs"));
    Files.createDirectories(dir);
    Path log = dir.resolve("ignite-" + name + "-" + i + ".log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.add(IgniteSetup.opensFile());
    cmd.addAll(javaOpts);
    cmd.add("-Ddrift.node.speed=" + s.speed());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
        IgniteNode.class.getName(), mode.name(), name + "-" + i, "" + s.slots(),
        "" + discoveryPort, "" + communicationPort, "" + http));
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
        .start());
    httpPorts.add(http);
    logs.add(log);
  }

  /** Waits (bounded) until client 0 sees {@code n} server nodes. */
  private void awaitServers(int n, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (clients.get(0).cluster().forServers().nodes().size() < n) {
      for (Process p : processes) {
        if (!p.isAlive() && p.exitValue() != 0) {
          throw new IllegalStateException("an Ignite node died: see " + logs);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Ignite: " + n + " servers not seen within " + within);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public CompletableFuture<Long> submit(int client, Kind kind, long workMillis) {
    IgniteCallable<Long> job = switch (kind) {
      case STAMP -> new IgniteJobs.Stamp();
      case EMULATED -> new IgniteJobs.Emulated(workMillis);
      case HOLD -> new IgniteJobs.Hold();
    };
    IgniteFuture<Long> f = computes.get(client).callAsync(job);
    CompletableFuture<Long> result = new CompletableFuture<>();
    if (kind == Kind.HOLD) {
      holding.add(f);
      result.complete(0L);
      return result;
    }
    f.listen(done -> {
      try {
        result.complete(done.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }

  @Override
  public void cancelAll() {
    for (IgniteFuture<Long> f : holding) {
      f.cancel();
    }
    holding.clear();
  }

  @Override
  public int add(Spec spec) throws Exception {
    startNode(spec);
    long alive = processes.stream().filter(Process::isAlive).count();
    awaitServers((int) alive, Duration.ofSeconds(120));
    return processes.size() - 1;
  }

  private static final Pattern RUNNING = Pattern.compile("running=(\\d+)");

  @Override
  public int busy(int i) throws Exception {
    try {
      Matcher m = RUNNING.matcher(get(i, "/stats"));
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException notYet) {
      return 0;
    }
  }

  private static final Pattern JOBS = Pattern.compile(" jobs=(\\d+)"); // not abandoned_jobs=

  /** Waits (until the deadline) for node 0 to count {@code n} jobs, active or waiting. */
  void awaitArrived(int n, long deadline) throws Exception {
    int jobs = 0;
    while (System.nanoTime() < deadline) {
      Matcher m = JOBS.matcher(get(0, "/stats"));
      jobs = m.find() ? Integer.parseInt(m.group(1)) : 0;
      if (jobs >= n) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("Ignite node 0 holds " + jobs + " jobs, not " + n);
  }

  private static final Pattern FINAL = Pattern.compile(
      "FINAL running=\\d+ abandoned_ms=(\\d+) abandoned_jobs=(\\d+)");

  @Override
  public Drained drain(int i) throws Exception {
    long t = System.nanoTime();
    HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(i)
            + "/drain")).POST(HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (!processes.get(i).waitFor(300, TimeUnit.SECONDS)) {
      throw new IllegalStateException("Ignite node " + i + " did not stop within 300 s");
    }
    double s = (System.nanoTime() - t) / 1e9;
    long lost = -1;
    long restarted = -1;
    for (String line : Files.readAllLines(logs.get(i))) {
      Matcher m = FINAL.matcher(line);
      if (m.find()) {
        lost = Long.parseLong(m.group(1));
        restarted = Long.parseLong(m.group(2));
      }
    }
    return new Drained(s, lost, restarted, "Ignition.stop(cancel = false): the node takes no"
        + " new job and waits for its running jobs to end, then leaves");
  }

  /** Ignite moves no running job: stealing takes only jobs that have not started. */
  @Override
  public long runningMoves() {
    return 0;
  }

  @Override
  public List<ProcessHandle> processes() {
    List<ProcessHandle> p = new ArrayList<>();
    for (Process proc : processes) {
      p.add(proc.toHandle());
    }
    return p;
  }

  private String get(int i, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPorts.get(i)
        + path)).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The first port of {@code n} consecutive free loopback ports (checked by binding each). */
  static int freeRange(int n) throws IOException {
    java.util.SplittableRandom r = new java.util.SplittableRandom();
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20_000 + r.nextInt(30_000);
      boolean free = true;
      for (int p = base; p < base + n && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1,
            java.net.InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IOException("no " + n + " consecutive free loopback ports found");
  }

  @Override
  public void close() throws Exception {
    for (Ignite c : clients) {
      c.close();
    }
    clients.clear();
    computes.clear();
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
