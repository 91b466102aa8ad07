package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.units.PrimeCount;
import io.drift.node.client.DriftClient;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three node processes started by {@code bin/drift node} on loopback, as an operator would start
 * them; a {@link DriftClient} in this JVM submits work; the management HTTP routes answer. Runs
 * in {@code mvn verify} after the jar is packaged.
 */
class ClusterProcessesIT {

  static NodeProcesses nodes;
  static ActorTestKit kit;

  @BeforeAll
  static void startNodes() throws IOException {
    nodes = NodeProcesses.start("node", 3, null);
    kit = ActorTestKit.create();
  }

  @AfterAll
  static void stopNodes() throws InterruptedException {
    if (nodes != null) {
      nodes.close();
    }
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  static int artery(int i) {
    return nodes.artery(i);
  }

  static JsonNode get(int node, String path) throws Exception {
    return nodes.get(node, path);
  }

  @Test
  void nodesStartedFromTheCommandLineFormAClusterRunWorkAndAnswerOverHttp() throws Exception {
    nodes.awaitCluster(kit.createTestProbe());

    JsonNode nodesView = get(0, "/drift/nodes");
    assertEquals("127.0.0.1:" + artery(0), nodesView.get("self").asText());
    nodesView.get("nodes").forEach(n -> assertEquals(2, n.get("slots").asInt()));

    // known prime counts: pi(10^k) and pi(1000) = 168
    Map<Long, Long> primesBelow = Map.of(10L, 4L, 100L, 25L, 1_000L, 168L, 10_000L, 1229L,
        100_000L, 9592L, 1_000_000L, 78498L);
    Map<String, Long> expectedResults = new HashMap<>();
    Set<String> hosts = new HashSet<>();
    try (DriftClient client = DriftClient.connect("127.0.0.1:" + artery(0))) {
      List<JobHandle<Long>> handles = new ArrayList<>();
      List<Long> limits = new ArrayList<>(primesBelow.keySet());
      for (long limit : limits) {
        JobHandle<Long> h = client.submit(JobSpec.of(new PrimeCount(0, limit)));
        handles.add(h);
        expectedResults.put(h.id().value(), primesBelow.get(limit));
      }
      for (int i = 0; i < handles.size(); i++) {
        assertEquals(primesBelow.get(limits.get(i)),
            handles.get(i).result().toCompletableFuture().get(60, TimeUnit.SECONDS));
        hosts.add(handles.get(i).status().toCompletableFuture().get(5, TimeUnit.SECONDS).host());
      }
    }
    assertTrue(hosts.size() >= 2, "six jobs on three idle 2-slot nodes spread out: " + hosts);

    // the home's HTTP view of the same jobs
    JsonNode jobs = get(0, "/drift/jobs");
    assertEquals("127.0.0.1:" + artery(0), jobs.get("homeNode").asText());
    Map<String, JsonNode> byId = new HashMap<>();
    jobs.get("jobs").forEach(j -> byId.put(j.get("id").asText(), j));
    assertEquals(expectedResults.keySet(), byId.keySet());
    expectedResults.forEach((id, count) -> {
      JsonNode j = byId.get(id);
      assertEquals("SUCCEEDED", j.get("state").asText());
      assertEquals(count.toString(), j.get("resultJson").asText());
      assertEquals("127.0.0.1:" + artery(0), j.get("home").asText());
    });
    String oneId = expectedResults.keySet().iterator().next();
    assertEquals(oneId, get(0, "/drift/jobs/" + oneId).get("id").asText());
  }

  record Run(int code, String out, String err) {}

  /** The real {@code bin/drift}, as a user types it, with {@code stdin} piped in. */
  static Run drift(String stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(NodeProcesses.ROOT.resolve("bin/drift").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DRIFT_NO_BUILD", "1");
    pb.environment().put("DRIFT_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC");
    Path out = Files.createTempFile("drift-run-", ".out");
    Path err = Files.createTempFile("drift-run-", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    try {
      assertTrue(p.waitFor(90, TimeUnit.SECONDS), "bin/drift " + String.join(" ", args));
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void theCommandLineRunsAProgramWithPipedInputAndUnitsFromJarsNoNodeHas(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    nodes.awaitCluster(kit.createTestProbe());
    // homes other than node 0, whose job list the other test checks whole
    Run program = drift("there\n", "run", "--node", nodes.node(1), "--", "sh", "-c",
        "echo hi; read x; echo got $x; exit 3");
    assertEquals(3, program.code(), program.err());
    assertEquals("hi\ngot there\n", program.out());

    Path jar = UserJars.counter(dir, "procs");
    Run fromJar = drift("", "run", "--node", nodes.node(1), "--jar", jar.toString(), "--class",
        "demo.Counter", "300");
    assertEquals(0, fromJar.code(), fromJar.err());
    assertTrue(fromJar.out().contains(": result procs counted 300"), fromJar.out());

    // the same jar's unit moved across the node processes: each fetches the jar from home
    try (DriftClient client = DriftClient.connect(nodes.node(2))) {
      @SuppressWarnings("unchecked")
      io.drift.api.WorkUnit<Object> unit =
          (io.drift.api.WorkUnit<Object>) UserJars.load(jar, "demo.Counter", "4000");
      JobHandle<Object> h = client.submit(JobSpec.of(unit).withJar(jar));
      String host = kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
        io.drift.api.JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(io.drift.api.JobState.RUNNING, info.state());
        return info.host();
      });
      Set<String> visited = new HashSet<>(Set.of(host));
      for (int i = 0; i < 3 && visited.size() < 3; i++) {
        String target = nodes.node(i);
        if (!target.equals(host)) {
          assertEquals(target, h.migrate(target).toCompletableFuture()
              .get(30, TimeUnit.SECONDS).host());
          visited.add(target);
          host = target;
        }
      }
      assertEquals(3, visited.size());
      assertEquals("procs counted 4000",
          h.result().toCompletableFuture().get(90, TimeUnit.SECONDS).toString());
    }
  }
}
