package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drift.node.join}: its checks, and Cluster Bootstrap through Drift's own management
 * binding. Loopback only: Pekko's config-based discovery stands in for the Kubernetes API.
 */
class JoinModeTest {

  private static final String HOST = "127.0.0.1";
  private static final String BOOTSTRAP = "pekko.management.cluster.bootstrap.";

  @Test
  void seedNodesIsTheDefaultAndBootstrapIsCheckedAgainstTheRest() {
    assertEquals(JoinMode.SEED_NODES, JoinMode.fromConfig(DriftConfig.forNode(null, Map.of())));
    assertEquals(JoinMode.BOOTSTRAP, JoinMode.fromConfig(
        DriftConfig.forNode(null, Map.of("drift.node.join", "bootstrap"))));
    assertRefused("pekko.cluster.seed-nodes", Map.of("drift.node.join", "bootstrap",
        "pekko.cluster.seed-nodes", List.of("pekko://drift@127.0.0.1:2551")));
    assertRefused("drift.node.management", Map.of("drift.node.join", "bootstrap",
        "drift.node.management", "off"));
    assertRefused("drift.node.join", Map.of("drift.node.join", "kubernetes"));
  }

  @Test
  void managementBindsBindHostnameWhenSetAndHostnameOtherwise() {
    assertEquals("127.0.0.1", JoinMode.bindHostname(DriftConfig.forNode(null, Map.of())));
    assertEquals("0.0.0.0", JoinMode.bindHostname(DriftConfig.forNode(null,
        Map.of("pekko.management.http.hostname", "10.0.0.5",
            "pekko.management.http.bind-hostname", "0.0.0.0"))));
  }

  /**
   * A bootstrapping node does not start a cluster of its own while a required contact point is
   * missing (with seed-nodes mode and no seeds it would be Up within a second); once the second
   * node runs, the two form one cluster by asking each other's {@code /bootstrap/seed-nodes}
   * on the port Drift binds.
   */
  @Test
  void bootstrappingNodesWaitForEachOtherThenFormOneCluster(@TempDir Path dir) throws Exception {
    List<Integer> ports = LocalCluster.freePorts(4); // artery and management of two nodes
    int managementA = ports.get(1);
    int managementB = ports.get(3);
    List<Map<String, Object>> endpoints = List.of(
        Map.of("host", HOST, "port", managementA), Map.of("host", HOST, "port", managementB));
    List<DriftNode> nodes = new ArrayList<>();
    try {
      DriftNode a = DriftNode.start(
          DriftConfig.forNode(null, node(ports.get(0), managementA, endpoints, dir.resolve("a"))));
      nodes.add(a);
      TestProbe<SelfUp> upA = ActorTestKit.create(a.system()).createTestProbe();
      Cluster.get(a.system()).subscriptions().tell(Subscribe.create(upA.ref(), SelfUp.class));

      // a's contact point answers (Drift serves bootstrap's route), with no seed nodes yet
      HttpResponse<String> seeds = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://" + HOST + ":" + managementA + "/bootstrap/seed-nodes"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, seeds.statusCode(), seeds.body());
      assertTrue(seeds.body().contains("\"seedNodes\":[]"), seeds.body());
      // several stable margins and probe rounds: joining itself would have happened by now
      upA.expectNoMessage(Duration.ofSeconds(3));
      assertFalse(Cluster.get(a.system()).state().getMembers().iterator().hasNext(),
          "a is in no cluster");

      DriftNode b = DriftNode.start(
          DriftConfig.forNode(null, node(ports.get(2), managementB, endpoints, dir.resolve("b"))));
      nodes.add(b);
      upA.expectMessageClass(SelfUp.class, Duration.ofSeconds(30));
      ActorTestKit.create(b.system()).createTestProbe().awaitAssert(Duration.ofSeconds(30),
          Duration.ofMillis(200), () -> {
            for (DriftNode n : List.of(a, b)) {
              List<MemberStatus> up = new ArrayList<>();
              Cluster.get(n.system()).state().getMembers().forEach(m -> up.add(m.status()));
              assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), up,
                  "members seen by " + n.selfNode());
            }
            return null;
          });
    } finally {
      nodes.parallelStream().forEach(DriftNode::close);
    }
  }

  private static Map<String, Object> node(int artery, int management,
      List<Map<String, Object>> endpoints, Path dir) {
    Map<String, Object> o = new HashMap<>(TestClusters.FAST);
    o.put("drift.node.join", "bootstrap");
    o.put("drift.node.slots", 1);
    o.put("drift.node.drain-on-sigterm", "0s");
    o.put("drift.home.frozen-dir", dir.resolve("frozen").toString());
    o.put("drift.home.jobs-dir", dir.resolve("jobs").toString());
    o.put("drift.home.code-dir", dir.resolve("code").toString());
    o.put("pekko.remote.artery.canonical.hostname", HOST);
    o.put("pekko.remote.artery.canonical.port", artery);
    // the contact point is hostname:port as configured: a fixed port, not 0
    o.put("pekko.management.http.hostname", HOST);
    o.put("pekko.management.http.port", management);
    o.put("pekko.discovery.config.services.drift-test.endpoints", endpoints);
    o.put(BOOTSTRAP + "contact-point-discovery.discovery-method", "config");
    o.put(BOOTSTRAP + "contact-point-discovery.service-name", "drift-test");
    o.put(BOOTSTRAP + "contact-point-discovery.required-contact-point-nr", 2);
    o.put(BOOTSTRAP + "contact-point-discovery.stable-margin", "500ms");
    o.put(BOOTSTRAP + "contact-point-discovery.interval", "200ms");
    o.put(BOOTSTRAP + "contact-point.probe-interval", "200ms");
    // the two contact points listen on different ports: probe both, not only ours
    o.put(BOOTSTRAP + "contact-point.filter-on-fallback-port", false);
    return o;
  }

  private static void assertRefused(String key, Map<String, Object> settings) {
    ConfigException e = assertThrows(ConfigException.class,
        () -> JoinMode.fromConfig(DriftConfig.forNode(null, settings)));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
