package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.DriftException;
import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.OutputLine;
import io.drift.node.cli.DriftCli;
import io.drift.node.client.DriftClient;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Standard input for jobs: lines from the submitter, read wherever the unit runs. */
class InputTest {

  static LocalCluster cluster;
  static DriftClient client;
  static TestProbe<Object> probe;

  @BeforeAll
  static void start() {
    cluster = TestClusters.startReady(List.of(2, 2, 2), Map.of());
    client = DriftClient.connect(cluster.node(0).selfNode());
    probe = ActorTestKit.create(cluster.node(0).system()).createTestProbe();
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

  void awaitLines(List<OutputLine> out, List<String> expected) {
    probe.awaitAssert(Duration.ofSeconds(15), () -> {
      assertEquals(expected, out.stream().map(OutputLine::text).toList());
      return null;
    });
  }

  @Test
  void linesSentReachTheUnitOnceEachInOrderAcrossMovesAndTheEndEndsIt() throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new EchoInput()));
    List<OutputLine> out = new CopyOnWriteArrayList<>();
    h.onOutput(out::add);
    String host = TestClusters.runningHost(cluster, h);

    h.sendLines(List.of("a", "b")).toCompletableFuture().get(10, TimeUnit.SECONDS);
    awaitLines(out, List.of("got a", "got b"));
    for (int move = 0; move < 3; move++) {
      String target = TestClusters.otherThan(cluster, host, move);
      JobInfo moved = h.migrate(target).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(target, moved.host());
      host = target;
      h.sendLines(List.of("line " + move, "more " + move)).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }
    h.closeInput().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(8L, h.result().toCompletableFuture().get(30, TimeUnit.SECONDS));
    awaitLines(out, List.of("got a", "got b", "got line 0", "got more 0", "got line 1",
        "got more 1", "got line 2", "got more 2"));

    // an ended job takes no more input, and says so
    CompletionException late = org.junit.jupiter.api.Assertions.assertThrows(
        CompletionException.class, () -> h.sendLines(List.of("late")).toCompletableFuture()
            .join());
    assertTrue(late.getCause() instanceof DriftException
        && late.getCause().getMessage().contains("has ended"), late.toString());
  }

  @Test
  void inputClosedBeforeTheUnitReadsIsReadToTheEndAndNoMoreIsTaken() throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new EchoInput()));
    CompletionException tooLong = org.junit.jupiter.api.Assertions.assertThrows(
        CompletionException.class, () -> h.sendLines(List.of("x".repeat(30_000)))
            .toCompletableFuture().join());
    assertTrue(tooLong.getCause().getMessage().contains("at most 21845 characters"),
        tooLong.toString());
    // two long lines go in two messages, and come back to the unit in two answers
    h.sendLines(List.of("x".repeat(20_000), "y".repeat(20_000))).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    h.closeInput().toCompletableFuture().get(10, TimeUnit.SECONDS);
    CompletionException closed = org.junit.jupiter.api.Assertions.assertThrows(
        CompletionException.class, () -> h.sendLines(List.of("z")).toCompletableFuture().join());
    // refused either way: closed input, or (if the unit has read to the end already) an ended job
    assertTrue(closed.getCause().getMessage().contains("is closed")
        || closed.getCause().getMessage().contains("has ended"), closed.toString());
    assertEquals(2L, h.result().toCompletableFuture().get(30, TimeUnit.SECONDS));
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void anUnmodifiedProgramGetsTheTerminalsLinesAndItsExitCodeIsTheCommandsOwn() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DriftCli.execute(new String[] {"run", "--node", cluster.node(0).selfNode(), "--",
        "sh", "-c", "echo hi; read x; echo got $x; echo oops >&2; exit 3"},
        new ByteArrayInputStream("there\n".getBytes(StandardCharsets.UTF_8)),
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(3, code, out + " / " + err);
    assertEquals("hi\ngot there\n", out.toString());
    assertEquals("oops\n", err.toString());

    // a program that is not there: the job fails with the reason, the command says it
    StringWriter err2 = new StringWriter();
    int missing = DriftCli.execute(new String[] {"run", "--node", cluster.node(0).selfNode(),
        "--", "/no/such/program"}, new PrintWriter(new StringWriter(), true),
        new PrintWriter(err2, true));
    assertEquals(io.drift.node.cli.ExitCodes.JOB_FAILED, missing, err2.toString());
    assertTrue(err2.toString().contains("cannot start /no/such/program"), err2.toString());
  }
}
