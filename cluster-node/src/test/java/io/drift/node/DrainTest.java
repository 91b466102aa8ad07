package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;

/** A node drained while it runs guests: they all move, none is lost, and the node leaves. */
class DrainTest {

  static final long STEPS = 2_500;

  @Test
  void aDrainedNodeSendsEveryUnitAwayThenLeavesAndNothingIsLost() throws Exception {
    // the drain route is mutating: open here, read-only by default
    try (LocalCluster cluster = TestClusters.startReady(List.of(2, 2, 2),
            TestClusters.WRITABLE);
        DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      Walks walks = new Walks(client, 8, STEPS);
      ActorTestKit kit = ActorTestKit.create(cluster.node(0).system());
      TestProbe<Object> probe = kit.createTestProbe();
      DriftNode drained = cluster.node(2);
      String gone = drained.selfNode();
      List<String> names = cluster.nodes().stream().map(DriftNode::selfNode).toList();
      int hosted = probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(100), () -> {
        int n = walks.unitsOn(names)[2];
        assertTrue(n > 0, "node 2 hosts some of the units");
        return n;
      });

      // by the command line, as an operator would
      java.io.StringWriter said = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      int code = io.drift.node.cli.DriftCli.execute(new String[] {"ctl", "drain", "--json",
          "--token", TestClusters.TOKEN, "--http", "127.0.0.1:" + drained.httpPort(), "--within", "15s"}, new java.io.PrintWriter(said),
          new java.io.PrintWriter(err));
      assertEquals(0, code, said + " / " + err);
      com.fasterxml.jackson.databind.JsonNode r =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(said.toString());
      assertTrue(r.get("left").asBoolean(), said.toString());
      assertEquals(0, r.get("unitsLeft").asInt(), said.toString());
      assertTrue(r.get("unitsMoved").asInt() >= hosted, said.toString());

      walks.assertCompleteEachLineOnce(probe, gone);
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
        Cluster c = Cluster.get(cluster.node(0).system());
        c.state().getMembers().forEach(m -> assertFalse(
            m.address().toString().endsWith(gone) && m.status() == MemberStatus.up(),
            "node 2 is still up: " + m));
        assertTrue(drained.whenTerminated().isDone(), "node 2 has stopped");
        return null;
      });
    }
  }

  @Test
  void aNodeStillHomeToARunningJobSaysWhichAndStays() throws Exception {
    try (LocalCluster cluster = TestClusters.startReady(List.of(2, 2));
        DriftClient client = DriftClient.connect(cluster.node(1).selfNode())) {
      // long enough to outlast the test, which cancels it
      JobHandle<Long> h = client.submit(JobSpec.of(
          new SeededWalk(MigrationTest.SEED, 1_000_000, MigrationTest.CPU_MICROS)));
      TestClusters.runningHost(cluster, h);
      Drainer.Result r = Drainer.drain(cluster.node(1), Duration.ofSeconds(5), false)
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertFalse(r.left(), r.toString());
      assertEquals(0, r.unitsLeft(), "its unit moved away: " + r);
      assertEquals(List.of(h.id().value()), r.homedJobs());
      JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertFalse(info.state().isFinal(), "the job goes on: " + info);
      assertFalse(info.host().equals(cluster.node(1).selfNode()), "its unit left: " + info);

      // a job submitted to the draining node now is placed once, on the other node: not first
      // at its home, whose executor would refuse it, and then again
      JobHandle<Long> late = client.submit(JobSpec.of(
          new SeededWalk(MigrationTest.SEED, 1_000_000, MigrationTest.CPU_MICROS)));
      assertEquals(cluster.node(0).selfNode(), TestClusters.runningHost(cluster, late));
      io.drift.balancer.Balancer.Decisions d = client.decisionsAt(cluster.node(1).selfNode(),
          late.id()).toCompletableFuture().get(5, TimeUnit.SECONDS);
      List<io.drift.balancer.Decision> placed = d.decisions().stream()
          .filter(x -> x.kind().equals("place")).toList();
      assertEquals(1, placed.size(), "one placement: " + d);
      assertEquals(cluster.node(0).selfNode(), placed.get(0).target(), d.toString());
      late.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);

      // over HTTP, a mutating route: refused where management HTTP is read-only (the default)
      java.net.http.HttpResponse<String> refused = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                  + cluster.node(0).httpPort() + "/drift/drain"))
              .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(403, refused.statusCode(), refused.body());
      assertEquals(JobState.RUNNING, h.status().toCompletableFuture().get(5, TimeUnit.SECONDS)
          .state());
      h.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
