package io.drift.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigException;
import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.units.BurnCpu;
import io.drift.node.DriftConfig;
import io.drift.node.DriftNode;
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
import java.util.function.Supplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/**
 * Every route that changes something on the management port, Drift's and Pekko's: refused
 * without the token (401, with a Bearer challenge), refused with a wrong one (403), and with
 * nothing changed either time; with the right one it acts. Reads need no token.
 */
class ManagementAuthTest {

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String WRONG = "not-the-token-0123456789";

  record Answer(int status, String body, HttpResponse<String> raw) {
    JsonNode json() throws Exception {
      return Json.mapper().readTree(body);
    }
  }

  static Answer send(LocalCluster c, int node, String method, String path, String token)
      throws Exception {
    // Pekko's PUT /cluster/members/{address} takes its operation as a form field
    int form = path.indexOf("?operation=");
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + c.node(node).httpPort() + (form < 0 ? path : path.substring(0, form))))
        .timeout(Duration.ofSeconds(90));
    if (form < 0) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.method(method, HttpRequest.BodyPublishers.ofString(path.substring(form + 1)))
          .header("Content-Type", "application/x-www-form-urlencoded");
    }
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body(), r);
  }

  /**
   * Without a token: 401 and a challenge; with a wrong one: 403; and what {@code unchanged}
   * reads is the same after both. Then the right token, and its answer.
   */
  static Answer refusedThenAccepted(LocalCluster c, int node, String method, String path,
      Supplier<Object> unchanged) throws Exception {
    Object before = unchanged.get();
    Answer none = send(c, node, method, path, null);
    assertEquals(401, none.status(), method + " " + path + ": " + none.body());
    assertTrue(none.json().get("error").asText().contains("Authorization: Bearer"), none.body());
    assertEquals("Bearer realm=drift", none.raw().headers().firstValue("WWW-Authenticate")
        .orElse("").replace("\"", ""), path);
    Answer wrong = send(c, node, method, path, WRONG);
    assertEquals(403, wrong.status(), method + " " + path + ": " + wrong.body());
    assertTrue(wrong.json().get("error").asText().contains("token is wrong"), wrong.body());
    assertEquals(before, unchanged.get(), method + " " + path + " changed nothing");
    return send(c, node, method, path, TestClusters.TOKEN);
  }

  static JsonNode status(LocalCluster c, int node) {
    try {
      return send(c, node, "GET", "/drift/status", null).json();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static Supplier<Object> flags(LocalCluster c, int node) {
    return () -> {
      JsonNode s = status(c, node);
      return List.of(s.get("blocked").asBoolean(), s.get("stay").asBoolean());
    };
  }

  static long up(LocalCluster c) {
    return java.util.stream.StreamSupport.stream(
            Cluster.get(c.node(0).system()).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  @Test
  void everyMutatingRouteNeedsTheRightToken() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1, 1), TestClusters.WRITABLE);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      String n1 = c.node(1).selfNode();

      // reads are open
      assertEquals(200, send(c, 1, "GET", "/drift/status", null).status());
      assertEquals(200, send(c, 1, "GET", "/cluster/members", null).status());

      // the verbs on this node, then the same on another node through node 0
      for (String verb : List.of("block", "noblock", "stay", "nostay", "bring")) {
        Answer a = refusedThenAccepted(c, 1, "POST", "/drift/ctl/" + verb, flags(c, 1));
        assertEquals(200, a.status(), verb + ": " + a.body());
      }
      assertTrue(status(c, 1).get("blocked").asBoolean() == false);
      Answer expel = refusedThenAccepted(c, 1, "POST", "/drift/ctl/expel?within=20s",
          flags(c, 1));
      assertEquals(200, expel.status(), expel.body());
      assertTrue(status(c, 1).get("blocked").asBoolean(), "expel blocks");
      Answer remote = refusedThenAccepted(c, 0, "POST", "/drift/nodes/" + n1 + "/ctl/noblock",
          flags(c, 1));
      assertEquals(200, remote.status(), remote.body());
      assertFalse(status(c, 1).get("blocked").asBoolean(), "noblock reached node 1");

      // the owner's grid verbs: a partner's terms, isolate and rejoin
      Supplier<Object> terms = () -> {
        try {
          return send(c, 1, "GET", "/drift/grid", null).json();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
      Answer partner = refusedThenAccepted(c, 1, "POST",
          "/drift/grid/partners/Z?priority=3&take=off", terms);
      assertEquals(200, partner.status(), partner.body());
      assertEquals(3, partner.json().get("partners").get("Z").get("priority").asInt());
      assertFalse(partner.json().get("partners").get("Z").get("take").asBoolean());
      Answer bad = send(c, 1, "POST", "/drift/grid/partners/Z?priority=-1", TestClusters.TOKEN);
      assertEquals(400, bad.status(), bad.body());
      for (String verb : List.of("isolate", "rejoin")) {
        Answer a = refusedThenAccepted(c, 1, "POST", "/drift/ctl/" + verb, terms);
        assertEquals(200, a.status(), verb + ": " + a.body());
        assertEquals(verb.equals("isolate"), terms.get() instanceof JsonNode j
            && j.get("isolated").asBoolean(), verb);
      }

      // a job's move and its cancel, at its home
      JobHandle<Long> job = client.submit(JobSpec.of(new BurnCpu(300_000)).withName("guarded"));
      String host = TestClusters.runningHost(c, job);
      String other = c.nodes().stream().map(DriftNode::selfNode).filter(n -> !n.equals(host))
          .findFirst().orElseThrow();
      Supplier<Object> where = () -> job.status().toCompletableFuture().join().host();
      Answer moved = refusedThenAccepted(c, 0, "POST", "/drift/jobs/" + job.id()
          + "/migrate?to=" + other, where);
      assertEquals(200, moved.status(), moved.body());
      assertEquals(other, where.get());
      Supplier<Object> state = () -> job.status().toCompletableFuture().join().state();
      Answer cancelled = refusedThenAccepted(c, 0, "POST", "/drift/jobs/" + job.id() + "/cancel",
          state);
      assertEquals(200, cancelled.status(), cancelled.body());
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(JobState.CANCELLED, state.get());
        return null;
      });

      // drains: the token lets a bad duration through to the route's own 400, so the nodes
      // stay; then a real one by /drift/drain
      Answer ctlDrain = refusedThenAccepted(c, 1, "POST", "/drift/ctl/drain?within=soon",
          () -> up(c));
      assertEquals(400, ctlDrain.status(), ctlDrain.body());
      Answer nodeDrain = refusedThenAccepted(c, 0, "POST", "/drift/nodes/" + n1
          + "/ctl/drain?within=soon", () -> up(c));
      assertEquals(400, nodeDrain.status(), nodeDrain.body());
      Answer drained = refusedThenAccepted(c, 2, "POST", "/drift/drain?within=20s", () -> up(c));
      assertEquals(200, drained.status(), drained.body());
      probe.awaitAssert(Duration.ofSeconds(30), () -> {
        assertEquals(2, up(c));
        return null;
      });

      // Pekko's own writable routes: a leave by PUT; a DELETE of an address that is no member
      String address = "pekko://drift@" + n1;
      Answer leave = refusedThenAccepted(c, 0, "PUT", "/cluster/members/" + address
          + "?operation=Leave", () -> up(c));
      assertEquals(200, leave.status(), leave.body());
      probe.awaitAssert(Duration.ofSeconds(30), () -> {
        assertEquals(1, up(c));
        return null;
      });
      Answer delete = refusedThenAccepted(c, 0, "DELETE",
          "/cluster/members/pekko://drift@127.0.0.1:1", () -> up(c));
      assertEquals(404, delete.status(), delete.body());
    }
  }

  @Test
  void aWritablePortWithoutATokenOrWithAShortOneDoesNotStart() {
    ConfigException none = assertThrows(ConfigException.class, () -> ManagementAuth.fromConfig(
        DriftConfig.forNode(null, Map.of("pekko.management.http.route-providers-read-only",
            false, "drift.management.token", ""))));
    assertTrue(none.getMessage().contains("DRIFT_TOKEN"), none.getMessage());
    ConfigException shortOne = assertThrows(ConfigException.class, () ->
        ManagementAuth.fromConfig(DriftConfig.forNode(null, Map.of(
            "drift.management.token", "secret"))));
    assertTrue(shortOne.getMessage().contains("at least 16"), shortOne.getMessage());
    // read-only without a token is the default, and fine
    ManagementAuth.fromConfig(DriftConfig.forNode(null, Map.of("drift.management.token", "")));

    int[] ports = LocalCluster.freePorts(2).stream().mapToInt(Integer::intValue).toArray();
    ConfigException refused = assertThrows(ConfigException.class, () -> DriftNode.start(
        DriftConfig.forNode(null, Map.of(
            "pekko.remote.artery.canonical.port", ports[0],
            "pekko.management.http.port", ports[1],
            "pekko.management.http.route-providers-read-only", false,
            "drift.management.token", ""))));
    assertTrue(refused.getMessage().contains("drift.management.token"), refused.getMessage());
  }
}
