package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.MigrationRefusedException;
import io.drift.api.OutputLine;
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A freeze whose file cannot be written loses nothing: the unit goes on where it was, and the
 * job ends with the result and output of one that never stopped.
 */
class FreezeFailureTest {

  @ParameterizedTest(name = "frozen from {0}")
  @ValueSource(strings = {"home", "another node"})
  void aFreezeThatCannotWriteItsFileLeavesTheJobWhereItWas(String from, @TempDir Path dir)
      throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "in the way");
    try (LocalCluster cluster = TestClusters.startReady(List.of(1, 1),
            Map.of("drift.home.frozen-dir", notADirectory.toString()));
        DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      long steps = 2_500;
      MigrationTest.Unmoved never = MigrationTest.unmoved(new SeededWalk(5, steps, 0));
      JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(5, steps, 1_000)));
      List<OutputLine> out = new CopyOnWriteArrayList<>();
      h.onOutput(out::add);
      String home = cluster.node(0).selfNode();
      String host = ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
          Duration.ofSeconds(10), () -> {
            JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(JobState.RUNNING, info.state());
            return info.host();
          });
      String wanted = from.equals("home") ? home : cluster.node(1).selfNode();
      if (!host.equals(wanted)) {
        h.migrate(wanted).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }

      ExecutionException e = assertThrows(ExecutionException.class,
          () -> h.migrate("freeze").toCompletableFuture().get(30, TimeUnit.SECONDS));
      String why = assertInstanceOf(MigrationRefusedException.class, e.getCause()).getMessage();
      assertTrue(why.contains("not frozen: could not write it under"), why);
      JobInfo after = ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
          Duration.ofSeconds(10), () -> {
            JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(JobState.RUNNING, info.state());
            assertEquals(wanted, info.host(), "it goes on where it was");
            return info;
          });
      assertTrue(after.steps() < steps, "still mid-run");

      assertEquals(never.result(), h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
      assertEquals(never.output(), out.stream().map(OutputLine::text).toList());
      for (int k = 0; k < out.size(); k++) {
        assertEquals(k + 1, out.get(k).seq(), "no line lost or doubled");
      }
    }
  }
}
