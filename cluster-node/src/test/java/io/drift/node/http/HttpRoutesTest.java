package io.drift.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.units.BurnCpu;
import io.drift.node.LocalCluster;
import io.drift.node.TestClusters;
import io.drift.node.client.DriftClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/**
 * The management HTTP routes an operator and the dashboard use, across two nodes: the health
 * checks, every job of the cluster, why, a move and a verb on another node than the one asked,
 * a cancel, and a clear 4xx for each kind of bad request.
 */
class HttpRoutesTest {

  static final HttpClient HTTP = HttpClient.newHttpClient();

  record Answer(int status, String body) {
    JsonNode json() throws Exception {
      return Json.mapper().readTree(body);
    }
  }

  static Answer call(LocalCluster c, int node, String method, String path) throws Exception {
    return call(c, node, method, path, null);
  }

  static Answer call(LocalCluster c, int node, String method, String path, String json)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + c.node(node).httpPort() + path))
        .timeout(Duration.ofSeconds(60));
    if (!method.equals("GET")) {
      b.header("Authorization", "Bearer " + TestClusters.TOKEN);
    }
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.method(method, HttpRequest.BodyPublishers.ofString(json))
          .header("Content-Type", "application/json");
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  @Test
  void theRoutesSeeAndActOnTheWholeClusterFromAnyNode() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1),
            TestClusters.WRITABLE);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      ActorTestKit kit = ActorTestKit.create(c.node(0).system());
      String n0 = c.node(0).selfNode();
      String n1 = c.node(1).selfNode();
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(200), () -> {
        assertEquals(200, call(c, 0, "GET", "/ready").status());
        assertEquals(200, call(c, 1, "GET", "/alive").status());
        return null;
      });
      JobHandle<Long> job = client.submit(JobSpec.of(new BurnCpu(120_000)).withName("routed"));
      String host = TestClusters.runningHost(c, job);
      String other = host.equals(n0) ? n1 : n0;

      // every job of the cluster, asked at the node that is not its home
      Answer all = call(c, 1, "GET", "/drift/jobs?all=true");
      assertEquals(200, all.status(), all.body());
      assertEquals(1, all.json().get("jobs").size(), all.body());
      assertEquals(2, all.json().get("nodes").size());

      // a move asked at node 1 for a job homed at node 0, its parameters in a JSON body
      Answer moved = call(c, 1, "POST", "/drift/jobs/" + job.id() + "/migrate",
          "{\"to\": \"" + other + "\", \"home\": \"" + n0 + "\"}");
      assertEquals(200, moved.status(), moved.body());
      assertEquals(other, job.status().toCompletableFuture().get(5, TimeUnit.SECONDS).host());
      // and back, in the query
      assertEquals(200, call(c, 1, "POST", "/drift/jobs/" + job.id() + "/migrate?to=" + host
          + "&home=" + n0).status());
      assertEquals(200, call(c, 0, "POST", "/drift/jobs/" + job.id() + "/migrate?to=" + other)
          .status());
      Answer why = call(c, 1, "GET", "/drift/jobs/" + job.id() + "/why");
      assertEquals(200, why.status(), why.body());
      assertEquals("place", why.json().get(0).get("decision").get("kind").asText(), why.body());

      // a verb on node 1, asked of node 0
      Answer block = call(c, 0, "POST", "/drift/nodes/" + n1 + "/ctl/block");
      assertEquals(200, block.status(), block.body());
      assertTrue(block.json().get("blocked").asBoolean());
      assertEquals(n1, block.json().get("node").asText());
      assertTrue(call(c, 1, "GET", "/drift/status").json().get("blocked").asBoolean());
      assertEquals(200, call(c, 0, "POST", "/drift/nodes/" + n1 + "/ctl/noblock").status());

      Answer cancel = call(c, 0, "POST", "/drift/jobs/" + job.id() + "/cancel");
      assertEquals(200, cancel.status(), cancel.body());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        assertEquals(JobState.CANCELLED, job.status().toCompletableFuture()
            .get(5, TimeUnit.SECONDS).state());
        return null;
      });

      // bad requests: each a 4xx with a JSON error that says what is wrong
      Map<String, Integer> bad = Map.of(
          "/drift/jobs/0123456789ab/cancel", 404,
          "/drift/jobs/not!an!id/cancel", 400,
          "/drift/jobs/" + job.id() + "/migrate", 400,
          "/drift/ctl/frobnicate", 400,
          "/drift/ctl/expel?within=forever", 400,
          "/drift/drain?force=maybe", 400,
          "/drift/nodes/127.0.0.1:1/ctl/block", 404);
      for (Map.Entry<String, Integer> e : bad.entrySet()) {
        Answer a = call(c, 0, "POST", e.getKey());
        assertEquals(e.getValue(), a.status(), e.getKey() + ": " + a.body());
        assertTrue(a.json().has("error") && !a.json().get("error").asText().isBlank(),
            e.getKey() + ": " + a.body());
      }
      // bodies that are not what a route takes
      Map<String, String> badBodies = Map.of(
          "{\"to\": ", "not JSON",
          "[1, 2]", "JSON object",
          "{\"within\": {\"s\": 60}}", "field 'within'",
          "\"home\"", "JSON object");
      for (Map.Entry<String, String> e : badBodies.entrySet()) {
        Answer a = call(c, 0, "POST", "/drift/ctl/expel", e.getKey());
        assertEquals(400, a.status(), e.getKey() + ": " + a.body());
        assertTrue(a.json().get("error").asText().contains(e.getValue()), a.body());
      }
    }
  }

  @Test
  void aReadOnlyNodeRefusesEveryVerbButShowsEverything() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1))) {
      for (String path : List.of("/drift/ctl/block", "/drift/drain",
          "/drift/nodes/" + c.node(0).selfNode() + "/ctl/stay", "/drift/jobs/0123456789ab/cancel",
          "/drift/jobs/0123456789ab/migrate?to=home")) {
        Answer a = call(c, 0, "POST", path);
        assertEquals(403, a.status(), path + ": " + a.body());
        assertTrue(a.body().contains("read-only"), a.body());
      }
      assertEquals(200, call(c, 0, "GET", "/drift/status").status());
      assertEquals(200, call(c, 0, "GET", "/drift/jobs?all=true").status());
    }
  }
}
