package io.drift.node.cli;

import static io.drift.node.cli.Cli.drift;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.node.LocalCluster;
import io.drift.node.PacedWalk;
import io.drift.node.TestClusters;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * The owner's commands of a grid and of the batch queue, as typed: {@code ctl partner},
 * {@code ctl partner set}, {@code ctl isolate}, {@code ctl rejoin}, {@code q}, {@code q move},
 * {@code q cancel}; and {@code ps} and {@code mon} name each cluster. Two one-node clusters.
 */
class GridCommandsTest {

  static final String DC = "pekko.cluster.multi-data-center.self-data-center";

  @Test
  void theOwnersCommandsChangeTheTermsAndTheQueue() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestClusters.WRITABLE);
    settings.put("drift.home.queue-interval", "200ms");
    try (LocalCluster c = TestClusters.startReady(List.of(1, 1), settings, Map.of(
            0, Map.of(DC, "A", "drift.grid.partners.B.priority", 1),
            1, Map.of(DC, "B", "drift.grid.partners.A.priority", 1)));
        DriftClient atB = DriftClient.connect(c.node(1).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(1).system()).createTestProbe();
      String http = "127.0.0.1:" + c.node(1).httpPort();
      String token = TestClusters.TOKEN;

      Cli.Run terms = drift("ctl", "partner", "--http", http);
      assertEquals(ExitCodes.OK, terms.code(), terms.err());
      assertTrue(terms.out().contains("cluster: B") && terms.out().contains("priority: 1"),
          terms.out());
      Cli.Run set = drift("ctl", "partner", "set", "A", "--priority", "2", "--take", "off",
          "--http", http, "--token", token);
      assertEquals(ExitCodes.OK, set.code(), set.err());
      assertTrue(set.out().contains("priority: 2") && set.out().contains("take: false"),
          set.out());
      Cli.Run badOnOff = drift("ctl", "partner", "set", "A", "--send", "maybe", "--http", http,
          "--token", token);
      assertEquals(ExitCodes.BAD_INPUT, badOnOff.code());
      assertTrue(badOnOff.err().contains("send is on or off"), badOnOff.err());
      Cli.Run noToken = drift("ctl", "partner", "set", "A", "--priority", "3", "--http", http);
      assertEquals(ExitCodes.BAD_INPUT, noToken.code(), "a change needs the token");
      Cli.Run iso = drift("ctl", "isolate", "--within", "10s", "--http", http, "--token", token);
      assertEquals(ExitCodes.OK, iso.code(), iso.err());
      assertTrue(iso.out().contains("isolated: true"), iso.out());
      Cli.Run status = drift("ctl", "status", "--http", http);
      assertTrue(status.out().contains("cluster: B") && status.out().contains("isolated: true"),
          status.out());
      Cli.Run back = drift("ctl", "rejoin", "--http", http, "--token", token);
      assertEquals(ExitCodes.OK, back.code(), back.err());
      assertTrue(back.out().contains("isolated: false"), back.out());

      // the queue: a walk fills B's one slot (B takes nothing from A now, and sends to A
      // only if A has room), a queued one waits
      JobHandle<Long> filler = atB.submit(JobSpec.of(new PacedWalk(1, 3_000, 20))
          .withStartOn(JobSpec.HOME));
      drift("ctl", "partner", "set", "A", "--send", "off", "--http", http, "--token", token);
      JobHandle<Long> queued = atB.submit(JobSpec.of(new PacedWalk(2, 3_000, 20))
          .withName("waiting").withQueue(4));
      probe.awaitAssert(Duration.ofSeconds(10), Duration.ofMillis(100), () -> {
        assertEquals(JobState.RUNNING, filler.status().toCompletableFuture()
            .get(5, TimeUnit.SECONDS).state());
        return null;
      });
      Cli.Run q = drift("q", "--http", http);
      assertEquals(ExitCodes.OK, q.code(), q.err());
      assertTrue(q.out().contains("waiting") && q.out().contains(queued.id().value())
          && q.out().contains(" 4"), q.out());
      Cli.Run moved = drift("q", "move", queued.id().value(), "7", "--http", http,
          "--token", token);
      assertEquals(ExitCodes.OK, moved.code(), moved.err());
      assertTrue(moved.out().contains(" 7"), moved.out());
      Cli.Run notQueued = drift("q", "move", filler.id().value(), "1", "--http", http,
          "--token", token);
      assertEquals(ExitCodes.BAD_INPUT, notQueued.code());
      assertTrue(notQueued.err().contains("not in the queue"), notQueued.err());

      // ps and mon name the clusters
      Cli.Run ps = drift("ps", "--node", c.node(1).selfNode());
      assertTrue(ps.out().contains("CLUSTER") && ps.out().contains("QUEUED"), ps.out());
      Cli.Run mon = drift("mon", "--node", c.node(1).selfNode());
      assertTrue(mon.out().contains("CLUSTER"), mon.out());

      Cli.Run cancel = drift("q", "cancel", queued.id().value(), "--http", http,
          "--token", token);
      assertEquals(ExitCodes.OK, cancel.code(), cancel.err());
      assertEquals(JobState.CANCELLED, queued.status().toCompletableFuture()
          .get(5, TimeUnit.SECONDS).state());
      Cli.Run empty = drift("q", "--http", http);
      assertTrue(empty.out().contains("0 queued"), empty.out());
      filler.cancel().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
