package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * Node processes started by {@code bin/drift node} on loopback, as an operator starts them,
 * for the *IT tests (which run after the jar is packaged). Logs go to
 * {@code cluster-node/target/it-logs/NAME-i.log}; the test classes are on the nodes' class
 * path, so tests can run their own units there.
 */
final class NodeProcesses implements AutoCloseable {

  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Process> processes = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<Integer> ports;
  private final int n;

  private final Path scratch;

  private NodeProcesses(int n) throws IOException {
    this.scratch = Files.createTempDirectory("drift-it-");
    this.n = n;
    this.ports = LocalCluster.freePorts(2 * n);
  }

  /** Starts {@code n} nodes with 2 slots each, all seeded by node 0, with this config or none. */
  static NodeProcesses start(String name, int n, Path config) throws IOException {
    return start(name, n, i -> config, Map.of());
  }

  /**
   * {@code n} nodes of 2 slots, all seeded by node 0; node i reads the config file
   * {@code config.apply(i)} (none if null), and every node has {@code env} in its environment.
   */
  static NodeProcesses start(String name, int n, java.util.function.IntFunction<Path> config,
      Map<String, String> env) throws IOException {
    NodeProcesses p = new NodeProcesses(n);
    Path dir = ROOT.resolve("cluster-node/target/it-logs");
    Files.createDirectories(dir);
    for (int i = 0; i < n; i++) {
      Path configFile = config.apply(i);
      List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/drift").toString(), "node",
          "--port", "" + p.artery(i), "--http-port", "" + p.httpPort(i), "--slots", "2",
          "--seed", "127.0.0.1:" + p.artery(0)));
      if (configFile != null) {
        cmd.addAll(List.of("--config", configFile.toString()));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      pb.environment().put("DRIFT_NO_BUILD", "1"); // the jar was packaged just before
      // the nodes' records, jars and frozen units in a directory of this run's own: a later
      // run on the same port must not resume this one's jobs
      pb.environment().put("DRIFT_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC"
          + " -Ddrift.home.jobs-dir=" + p.scratch.resolve("jobs")
          + " -Ddrift.home.code-dir=" + p.scratch.resolve("code")
          + " -Ddrift.home.frozen-dir=" + p.scratch.resolve("frozen"));
      pb.environment().put("CLASSPATH", ROOT.resolve("cluster-node/target/test-classes").toString());
      Path log = dir.resolve(name + "-" + i + ".log");
      pb.redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      p.logs.add(log);
      p.processes.add(pb.start());
    }
    return p;
  }

  int artery(int i) {
    return ports.get(i);
  }

  /** A directory of this run's own, removed at close. */
  Path scratch() {
    return scratch;
  }

  int httpPort(int i) {
    return ports.get(n + i);
  }

  String node(int i) {
    return "127.0.0.1:" + artery(i);
  }

  String log(int i) throws IOException {
    return Files.readString(logs.get(i));
  }

  JsonNode get(int i, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort(i) + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JSON.readTree(r.body());
  }

  /**
   * Waits until every process is up, the cluster formed, node 0 knows every sample, and every
   * node's management port answers.
   */
  void awaitCluster(TestProbe<?> probe) {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < n; i++) {
      expected.add("pekko://drift@" + node(i));
    }
    probe.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(500), () -> {
      for (int i = 0; i < n; i++) {
        int dead = i;
        assertTrue(processes.get(i).isAlive(),
            () -> "node process " + dead + " died; its log ends:\n" + tail(dead, 20));
      }
      Set<String> up = new HashSet<>();
      get(0, "/cluster/members").get("members").forEach(m -> {
        if (m.get("status").asText().equals("Up")) {
          up.add(m.get("node").asText());
        }
      });
      assertEquals(expected, up);
      assertEquals(n, get(0, "/drift/nodes").get("nodes").size(), "node 0 knows every sample");
      // a node is Up in node 0's view a moment before its own management port answers
      for (int i = 1; i < n; i++) {
        get(i, "/drift/nodes");
      }
      return null;
    });
  }

  /** The last {@code lines} lines of node i's log (CI shows a failure's message, not files). */
  String tail(int i, int lines) {
    try {
      List<String> all = Files.readAllLines(logs.get(i));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, as an operator's stop: the node drains, then leaves; waits (bounded) for its exit. */
  boolean stop(int i, Duration within) throws InterruptedException {
    Process p = processes.get(i);
    p.destroy();
    return p.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Kills node i at once (SIGKILL): no goodbye to the cluster. */
  void kill(int i) throws InterruptedException {
    processes.get(i).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    processes.forEach(Process::destroy); // SIGTERM: a node leaves through CoordinatedShutdown
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
}
