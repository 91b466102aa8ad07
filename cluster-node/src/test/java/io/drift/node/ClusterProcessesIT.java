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
}
