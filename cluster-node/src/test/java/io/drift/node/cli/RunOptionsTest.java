package io.drift.node.cli;

import static io.drift.node.cli.Cli.drift;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.node.cli.Cli.Run;
import io.drift.api.JobId;
import io.drift.api.JobInfo;
import io.drift.node.LocalCluster;
import io.drift.node.TestClusters;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/** Where {@code drift run} starts a job (--best, --on, --home), --lock, and its bad input. */
class RunOptionsTest {

  @Test
  void aJobStartsWhereItsUserSaysAndALockedOneDoesNotMove() throws Exception {
    try (LocalCluster c = TestClusters.startReady(List.of(2, 2));
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      String home = c.node(0).selfNode();
      String other = c.node(1).selfNode();
      ActorTestKit kit = ActorTestKit.create(c.node(0).system());

      Run on = drift("run", "--detach", "--on", other, "--node", home, "burn", "60000");
      assertEquals(ExitCodes.OK, on.code(), on.err());
      JobId onId = JobId.of(on.out().strip());
      Run atHome = drift("run", "--detach", "--home", "--lock", "--node", home, "burn", "60000");
      assertEquals(ExitCodes.OK, atHome.code(), atHome.err());
      JobId homeId = JobId.of(atHome.out().strip());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(15), Duration.ofMillis(100), () -> {
        assertEquals(other, client.job(onId).toCompletableFuture().get(5, TimeUnit.SECONDS).host());
        assertEquals(home, client.job(homeId).toCompletableFuture().get(5, TimeUnit.SECONDS)
            .host());
        return null;
      });

      // locked: a move by hand is refused, with the reason, and the job stays
      Run move = drift("migrate", homeId.value(), other, "--node", home);
      assertEquals(ExitCodes.JOB_FAILED, move.code(), move.out() + move.err());
      assertTrue(move.err().contains("pinned"), move.err());
      JobInfo still = client.job(homeId).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(home, still.host());

      Run nowhere = drift("run", "--on", "127.0.0.1:1", "--node", home, "burn", "10");
      assertEquals(ExitCodes.BAD_INPUT, nowhere.code());
      assertTrue(nowhere.err().contains("no node 127.0.0.1:1 is up"), nowhere.err());
      Run both = drift("run", "--on", other, "--home", "--node", home, "burn", "10");
      assertEquals(ExitCodes.BAD_INPUT, both.code());
      assertTrue(both.err().contains("one of --best, --on NODE and --home"), both.err());
      Run badOn = drift("run", "--on", "elsewhere", "--node", home, "burn", "10");
      assertEquals(ExitCodes.BAD_INPUT, badOn.code());
      assertTrue(badOn.err().contains("host:port"), badOn.err());
      Run badProgress = drift("run", "--progress", "fancy", "--node", home, "burn", "10");
      assertEquals(ExitCodes.BAD_INPUT, badProgress.code());

      // piped (no terminal here): plain lines, no bar drawn over them
      Run plain = drift("run", "--node", home, "lines", "3");
      assertEquals(ExitCodes.OK, plain.code(), plain.err());
      assertTrue(!plain.out().contains("\r") && plain.out().contains("SUCCEEDED"), plain.out());
      // asked for, the bar ends at 100%
      Run bar = drift("run", "--progress", "bar", "--node", home, "burn", "600");
      assertEquals(ExitCodes.OK, bar.code(), bar.err());
      assertTrue(bar.out().contains("\r") && bar.out().contains("100%"), bar.out());

    } // closing the cluster ends the two long jobs
  }
}
