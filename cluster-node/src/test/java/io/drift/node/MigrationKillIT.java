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
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target node's process is killed in the middle of a transfer: the unit goes on at its
 * source, and the job completes with its result.
 */
class MigrationKillIT {

  static final int MIB = 24;
  static final long STEPS = 3_000;

  @ParameterizedTest(name = "over {0}")
  @ValueSource(strings = {"Artery chunks", "the side channel"})
  void killingTheTargetMidTransferLeavesTheUnitRunningAtItsSource(String path, @TempDir Path dir)
      throws Exception {
    // slowed down (small chunks one at a time, or a capped rate) so the transfer lasts long
    // enough to be cut in the middle
    boolean side = path.equals("the side channel");
    Path conf = dir.resolve("slow-moves.conf");
    Files.writeString(conf, String.join("\n",
        "drift.migration.chunk-bytes = 16KiB",
        "drift.migration.window-chunks = 1",
        "drift.migration.side-channel.enabled = " + (side ? "on" : "off"),
        "drift.migration.side-channel.max-rate = 4MiB",
        "drift.migration.reserve-timeout = 3s",
        "drift.migration.transfer-timeout = 8s"));
    ActorTestKit kit = ActorTestKit.create();
    try (NodeProcesses nodes = NodeProcesses.start(side ? "kill-side" : "kill-chunks", 3, conf)) {
      TestProbe<Object> probe = kit.createTestProbe();
      nodes.awaitCluster(probe);
      run(nodes, probe, side);
    } finally {
      kit.shutdownTestKit();
    }
  }

  private void run(NodeProcesses nodes, TestProbe<Object> probe, boolean side) throws Exception {
    try (DriftClient client = DriftClient.connect(nodes.node(0))) {
      JobHandle<Long> h = client.submit(JobSpec.of(new BigState(MIB, STEPS, 1_000)));
      String source = probe.awaitAssert(Duration.ofSeconds(20), () -> {
        JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(JobState.RUNNING, info.state());
        assertTrue(info.steps() > 0, "the state is built in the first step");
        return info.host();
      });
      int target = source.equals(nodes.node(2)) ? 1 : 2;
      int sourceIndex = source.equals(nodes.node(0)) ? 0 : source.equals(nodes.node(1)) ? 1 : 2;

      CompletableFuture<JobInfo> move = h.migrate(nodes.node(target)).toCompletableFuture();
      probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(20), () -> {
        assertTrue(nodes.log(sourceIndex).contains(side ? "over its side channel" : "chunks"),
            "the transfer has begun");
        return null;
      });
      nodes.kill(target);

      ExecutionException e = assertThrows(ExecutionException.class,
          () -> move.get(60, TimeUnit.SECONDS));
      MigrationRefusedException refused =
          assertInstanceOf(MigrationRefusedException.class, e.getCause());
      assertTrue(refused.getMessage().contains(nodes.node(target)), refused.getMessage());

      assertEquals(BigState.expected(MIB, STEPS),
          h.result().toCompletableFuture().get(120, TimeUnit.SECONDS));
      JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(source, done.host(), "it finished where it was");
      assertEquals(0, done.migrations());
    }
  }
}
