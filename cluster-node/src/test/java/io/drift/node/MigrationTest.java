package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.MigrationRefusedException;
import io.drift.api.OutputLine;
import io.drift.api.units.PrintLines;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Moving running units by hand between three nodes in one JVM. */
class MigrationTest {

  static final long SEED = 20261122L;
  static final long STEPS = 4_000;
  static final long CPU_MICROS = 1_000; // about 4 s of CPU per run: long enough to move 50 times

  static LocalCluster cluster;
  static DriftClient client;
  static Long unmovedResult;
  static List<String> unmovedOutput;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestClusters.startReady(List.of(2, 2, 2));
    client = DriftClient.connect(cluster.node(0).selfNode());
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(SEED, STEPS, CPU_MICROS)));
    List<OutputLine> out = new CopyOnWriteArrayList<>();
    h.onOutput(out::add);
    unmovedResult = h.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
    unmovedOutput = out.stream().map(OutputLine::text).toList();
    assertEquals(STEPS / 100, unmovedOutput.size());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @ParameterizedTest(name = "moved {0} times")
  @ValueSource(ints = {1, 5, 50})
  void aUnitMovedWhileItRunsGivesTheSameResultAndOutputAsOneThatNeverMoved(int moves)
      throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(SEED, STEPS, CPU_MICROS)));
    List<OutputLine> out = new CopyOnWriteArrayList<>();
    h.onOutput(out::add);
    String host = runningHost(h);
    for (int i = 0; i < moves; i++) {
      String target = otherThan(host, i);
      JobInfo after = h.migrate(target).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(target, after.host(), "move " + (i + 1));
      assertEquals(i + 1, after.migrations());
      assertEquals(JobState.RUNNING, after.state(), "the unit was still running at move " + (i + 1));
      host = target;
    }
    assertEquals(unmovedResult, h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
    JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(moves, done.migrations());
    assertTrue(done.bytesMoved() > 0);
    assertEquals(unmovedOutput, out.stream().map(OutputLine::text).toList());
    for (int k = 0; k < out.size(); k++) {
      assertEquals(k + 1, out.get(k).seq(), "sequence numbers run on across moves");
    }
  }

  /** Waits until the job runs (it is placed a moment after submission) and says where. */
  static String runningHost(JobHandle<?> h) {
    return ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
        Duration.ofSeconds(10), () -> {
          JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
          assertEquals(JobState.RUNNING, info.state());
          return info.host();
        });
  }

  /** Round robin over the nodes that are not {@code host}. */
  static String otherThan(String host, int i) {
    List<String> others = cluster.nodes().stream().map(DriftNode::selfNode)
        .filter(n -> !n.equals(host)).toList();
    return others.get(i % others.size());
  }

  @Test
  void movesThatCannotHappenSayWhyAndTheJobGoesOn() throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(7, 1_500, CPU_MICROS)));
    String host = runningHost(h);

    assertRefused(h, "nowhere:1", "no node nowhere:1 is known");
    assertRefused(h, host, "runs on " + host + " already");

    JobHandle<Long> pinned = client.submit(JobSpec.of(new SeededWalk(8, 1_500, CPU_MICROS))
        .withMigratable(false));
    String pinnedHost = runningHost(pinned);
    assertRefused(pinned, otherThan(pinnedHost, 0), "is pinned");

    JobHandle<Long> quick = client.submit(JobSpec.of(new PrintLines(3)));
    quick.result().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertRefused(quick, otherThan("", 0), "is SUCCEEDED");

    ExecutionException unknown = assertThrows(ExecutionException.class, () -> client
        .migrate(io.drift.api.JobId.of("nosuchjob"), "home").toCompletableFuture()
        .get(5, TimeUnit.SECONDS));
    assertTrue(unknown.getCause().getMessage().contains("no job nosuchjob is homed at"));

    // back home, then it finishes as if nothing happened
    JobInfo moved = h.migrate(otherThan(host, 0)).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertNotEquals(host, moved.host());
    JobInfo home = h.migrate("home").toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(cluster.node(0).selfNode(), home.host());
    h.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
    pinned.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static void assertRefused(JobHandle<?> h, String target, String why) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> h.migrate(target).toCompletableFuture().get(30, TimeUnit.SECONDS));
    MigrationRefusedException r = assertInstanceOf(MigrationRefusedException.class, e.getCause());
    assertTrue(r.getMessage().contains(why), r.getMessage());
  }
}
