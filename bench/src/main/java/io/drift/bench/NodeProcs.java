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
final class NodeProcs implements AutoCloseable {

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<Integer> ports;
  private final int n;

  private NodeProcs(int n) {
    this.n = n;
    this.ports = LocalCluster.freePorts(2 * n);
  }

  /**
   * Starts {@code n} one-slot nodes seeded by node 0.
   *
   * @param javaOpts JVM options for each node
   * @param settings extra {@code -D} settings for each node
   */
  static NodeProcs start(int n, List<String> javaOpts, List<String> settings) throws IOException {
    NodeProcs p = new NodeProcs(n);
    Path logs = Path.of(System.getProperty("drift.bench.logs", "bench/target/bench-logs"));
    Files.createDirectories(logs);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = 0; i < n; i++) {
      List<String> cmd = new ArrayList<>(List.of(java));
      cmd.addAll(javaOpts);
      cmd.addAll(settings);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
          "io.drift.node.cli.DriftCli", "node", "--port", "" + p.ports.get(i),
          "--http-port", "" + p.ports.get(n + i), "--slots", "1",
          "--seed", "127.0.0.1:" + p.ports.get(0)));
      File log = logs.resolve("node-" + i + ".log").toFile();
      p.logs.add(log.toPath());
      try {
        p.processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start());
      } catch (IOException e) {
        p.processes.forEach(Process::destroyForcibly); // none left behind
        throw e;
      }
    }
    return p;
  }

  /** Every node's log lines so far. */
  List<String> logLines() throws IOException {
    List<String> all = new ArrayList<>();
    for (Path log : logs) {
      all.addAll(Files.readAllLines(log));
    }
    return all;
  }

  String node(int i) {
    return "127.0.0.1:" + ports.get(i);
  }

  /** Waits (bounded) until node 0 lists every node's load sample: the cluster can place work. */
  void awaitCluster(Duration within) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + within.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Process p : processes) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a node process died: see bench/target/bench-logs");
        }
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + ports.get(n) + "/drift/nodes"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        last = r.body();
        if (r.statusCode() == 200 && countNodes(last) == n) {
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

  @Override
  public void close() throws InterruptedException {
    processes.forEach(Process::destroy);
    for (Process p : processes) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
