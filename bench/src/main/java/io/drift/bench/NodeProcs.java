package io.drift.bench;

import io.drift.node.LocalCluster;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drift nodes as separate JVM processes on loopback, started the way an operator starts them
 * ({@code DriftCli node}), with this benchmark's class path so they can run its units. Logs go
 * to {@code bench/target/bench-logs/}.
 */
public final class NodeProcs implements AutoCloseable {

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>(); // artery port of each node
  private final List<Integer> httpPorts = new ArrayList<>();
  private final List<String> javaOpts;
  private final List<String> settings;
  private final String classPath;
  private int expected; // nodes node 0 must list before the cluster counts as formed
  private final java.util.Set<Integer> retired = new java.util.HashSet<>(); // drained, gone

  /** One node: its slots and speed ({@code drift.node.speed}). */
  public record Spec(int slots, double speed) {}

  private final Path scratch;
  private final String logPrefix;

  private NodeProcs(List<String> javaOpts, List<String> settings, String classPath,
      String logPrefix) throws IOException {
    this.javaOpts = javaOpts;
    this.settings = settings;
    this.classPath = classPath;
    this.logPrefix = logPrefix;
    this.scratch = Files.createTempDirectory("drift-bench-");
  }

  /**
   * Starts {@code n} one-slot nodes seeded by node 0.
   *
   * @param javaOpts JVM options for each node
   * @param settings extra {@code -D} settings for each node
   */
  static NodeProcs start(int n, List<String> javaOpts, List<String> settings) throws IOException {
    List<Spec> specs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      specs.add(new Spec(1, 1.0));
    }
    return start(specs, javaOpts, settings);
  }

  /** Starts one node per spec, seeded by node 0. */
  static NodeProcs start(List<Spec> specs, List<String> javaOpts, List<String> settings)
      throws IOException {
    return start(specs, javaOpts, settings, System.getProperty("java.class.path"));
  }

  /** Starts one node per spec, seeded by node 0, on this class path. */
  public static NodeProcs start(List<Spec> specs, List<String> javaOpts, List<String> settings,
      String classPath) throws IOException {
    return start(specs, javaOpts, settings, classPath, "node-");
  }

  /**
   * As above, with node i's log in {@code logPrefix + i + ".log"}: a benchmark that starts
   * several clusters in turn keeps each one's logs.
   */
  public static NodeProcs start(List<Spec> specs, List<String> javaOpts, List<String> settings,
      String classPath, String logPrefix) throws IOException {
    NodeProcs p = new NodeProcs(javaOpts, settings, classPath, logPrefix);
    try {
      for (Spec spec : specs) {
        p.add(spec);
      }
    } catch (IOException e) {
      p.processes.forEach(Process::destroyForcibly); // none left behind
      throw e;
    }
    return p;
  }

  /** Starts one more node, which joins by node 0; returns its index. */
  public int add(Spec spec) throws IOException {
    int i = processes.size();
    List<Integer> free = LocalCluster.freePorts(2);
    ports.add(free.get(0));
    httpPorts.add(free.get(1));
    Path dir = Path.of(System.getProperty("drift.bench.logs", "bench/target/bench-logs"));
    Files.createDirectories(dir);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(javaOpts);
    // this run's own records, jars and frozen units: a later run on the same port must not
    // resume this one's jobs (the benchmark's settings may name other places)
    cmd.addAll(List.of("-Ddrift.home.jobs-dir=" + scratch.resolve("jobs"),
        "-Ddrift.home.code-dir=" + scratch.resolve("code"),
        "-Ddrift.home.frozen-dir=" + scratch.resolve("frozen")));
    cmd.addAll(settings);
    cmd.add("-Ddrift.node.speed=" + spec.speed());
    cmd.addAll(List.of("-cp", classPath,
        "io.drift.node.cli.DriftCli", "node", "--port", "" + ports.get(i),
        "--http-port", "" + httpPorts.get(i), "--slots", "" + spec.slots(),
        "--seed", "127.0.0.1:" + ports.get(0)));
    File log = dir.resolve(logPrefix + i + ".log").toFile();
    logs.add(log.toPath());
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start());
    expected = processes.size() - retired.size();
    return i;
  }

  public int httpPort(int i) {
    return httpPorts.get(i);
  }

  /** Every node's log lines so far. */
  public List<String> logLines() throws IOException {
    List<String> all = new ArrayList<>();
    for (Path log : logs) {
      all.addAll(Files.readAllLines(log));
    }
    return all;
  }

  /** Node i's process (for its CPU time and memory). */
  public Process process(int i) {
    return processes.get(i);
  }

  /** Node i has left the cluster on purpose (drained): it is no longer expected. */
  public void retire(int i) {
    retired.add(i);
    expected = processes.size() - retired.size();
  }

  public int size() {
    return processes.size();
  }

  public String node(int i) {
    return "127.0.0.1:" + ports.get(i);
  }

  /** Waits (bounded) until node 0 lists every node's load sample: the cluster can place work. */
  public void awaitCluster(Duration within) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      for (int k = 0; k < processes.size(); k++) {
        if (!processes.get(k).isAlive() && !retired.contains(k)) {
          throw new IllegalStateException("a node process died: see bench/target/bench-logs");
        }
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + httpPorts.get(0) + "/drift/nodes"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        last = r.body();
        if (r.statusCode() == 200 && countNodes(last) == expected) {
          return;
        }
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the node processes formed no cluster within " + within
        + "; last answer: " + last);
  }

  private static int countNodes(String json) {
    int count = 0;
    for (int i = json.indexOf("\"node\""); i >= 0; i = json.indexOf("\"node\"", i + 1)) {
      count++;
    }
    return count;
  }

  /** Kills node {@code i}'s process at once (SIGKILL), as a crash would. */
  void kill(int i) throws InterruptedException {
    processes.get(i).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (var files = Files.walk(scratch)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory: the system cleans up what is left
    }
  }

  /** A management token for one run (16 random bytes in hex), for writable routes. */
  public static String token() {
    byte[] b = new byte[16];
    new java.security.SecureRandom().nextBytes(b);
    return java.util.HexFormat.of().formatHex(b);
  }
}
