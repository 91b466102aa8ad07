package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.balancer.Balancer;
import io.drift.balancer.Decision;
import io.drift.node.client.DriftClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;

/**
 * The balancers move running units by themselves (MOSIX): a node that joins a busy cluster
 * takes over running work without anyone resubmitting it, each move is a decision with its
 * reason and outcome, and every job still gives the result it would have given unmoved.
 */
class AutoBalanceTest {

  static final Map<String, Object> BALANCING = Map.of("drift.balancer.migrate", "on",
      "drift.balancer.gossip.interval", "200ms", "drift.balancer.policy.min-residency", "500ms");

  static List<Decision> decisions(LocalCluster c, int i) throws Exception {
    return AskPattern.<Balancer.Command, Balancer.Decisions>ask(c.node(i).refs().balancer(),
            Balancer.GetDecisions::new, Duration.ofSeconds(3), c.node(i).system().scheduler())
        .toCompletableFuture().get(4, TimeUnit.SECONDS).decisions();
  }

  @Test
  void aNodeThatJoinsABusyClusterTakesRunningWork() throws Exception {
    long steps = 10_000; // 1 ms of CPU a step: 10 s of work each, 30 s on one slot
    try (LocalCluster c = TestClusters.startReady(List.of(1), BALANCING);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      List<JobHandle<Long>> jobs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        jobs.add(client.submit(JobSpec.of(new SeededWalk(MigrationTest.SEED + i, steps, 1_000))));
      }
      ActorTestKit kit = ActorTestKit.create(c.node(0).system());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        for (JobHandle<Long> h : jobs) {
          assertEquals(JobState.RUNNING, h.status().toCompletableFuture().get(5, TimeUnit.SECONDS)
              .state());
        }
        return null;
      });
      DriftNode joined = c.addNode(2, Map.of());
      String newcomer = joined.selfNode();
      // it must not sit idle: within a few gossip intervals of being Up, it runs two of them
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(200), () -> {
        int there = 0;
        for (JobHandle<Long> h : jobs) {
          JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
          if (newcomer.equals(info.host())) {
            there++;
          }
        }
        assertEquals(2, there, "units running on the node that joined; decisions at node 0: "
            + decisions(c, 0));
        return null;
      });
      List<Decision> moves = decisions(c, 0).stream()
          .filter(d -> d.kind().equals("load")).toList();
      assertTrue(moves.size() >= 2, "the moves are in the log: " + decisions(c, 0));
      for (Decision d : moves) {
        assertEquals(newcomer, d.target());
        assertTrue(d.reason().contains("saves"), d.reason());
      }
      HttpResponse<String> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + c.node(0).httpPort() + "/drift/decisions"))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, http.statusCode(), http.body());
      assertTrue(http.body().contains("\"kind\" : \"load\"") && http.body().contains(newcomer),
          http.body());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        assertTrue(decisions(c, 0).stream().filter(d -> d.kind().equals("load"))
            .allMatch(d -> d.outcome() != null && d.outcome().startsWith("moved")),
            "home moved them: " + decisions(c, 0));
        return null;
      });
      for (int i = 0; i < jobs.size(); i++) {
        long expected = MigrationTest.unmoved(new SeededWalk(MigrationTest.SEED + i, steps, 0))
            .result();
        assertEquals(expected, jobs.get(i).result().toCompletableFuture().get(90,
            TimeUnit.SECONDS));
      }
      // the node with one slot and one unit left does not pull a unit back (no ping-pong)
      assertTrue(decisions(c, 0).stream().filter(d -> d.kind().equals("load")).count() <= 2,
          decisions(c, 0).toString());
    }
  }
}
