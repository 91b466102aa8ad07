package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobId;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.MigrationRefusedException;
import io.drift.api.OutputLine;
import io.drift.api.units.PrintLines;
import io.drift.node.client.DriftClient;
import io.drift.node.cli.DriftCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Moving running units by hand between three nodes in one JVM. */
class MigrationTest {

  static final long SEED = 20261122L;
  static final long CPU_MICROS = 1_000; // 1 ms of CPU a step

  static LocalCluster cluster;
  static DriftClient client;

  @BeforeAll
  static void start() throws Exception {
    // the migrate route is mutating: open here, read-only by default
    cluster = TestClusters.startReady(List.of(2, 2, 2),
        TestClusters.WRITABLE);
    client = DriftClient.connect(cluster.node(0).selfNode());
  }

  /** The same walk run here, never moved (and without burning CPU: that changes nothing). */
  record Unmoved(long result, List<String> output) {}

  static Unmoved unmoved(long steps) throws Exception {
    return unmoved(new SeededWalk(SEED, steps, 0));
  }

  static Unmoved unmoved(SeededWalk w) throws Exception {
    List<String> out = new ArrayList<>();
    WorkContext ctx = new WorkContext() {
      public void out(String line) {
        out.add(line);
      }

      public void err(String line) {}

      public void progress(double fraction) {}

      public JobId jobId() {
        return JobId.of("here");
      }

      public String hostName() {
        return "here";
      }
    };
    Step<Long> s;
    do {
      s = w.step(ctx);
    } while (!(s instanceof Step.Done<Long>));
    return new Unmoved(((Step.Done<Long>) s).result(), out);
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
    long steps = 1_500 + 100L * moves; // long enough that every move happens while it runs
    Unmoved never = unmoved(steps);
    assertEquals(steps / 100, never.output().size());
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(SEED, steps, CPU_MICROS)));
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
    assertEquals(never.result(), h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
    JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(moves, done.migrations());
    assertTrue(done.bytesMoved() > 0);
    assertEquals(never.output(), out.stream().map(OutputLine::text).toList());
    for (int k = 0; k < out.size(); k++) {
      assertEquals(k + 1, out.get(k).seq(), "sequence numbers run on across moves");
    }
  }

  static String runningHost(JobHandle<?> h) {
    return TestClusters.runningHost(cluster, h);
  }

  static String otherThan(String host, int i) {
    return TestClusters.otherThan(cluster, host, i);
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
        .migrate(JobId.of("nosuchjob"), "home").toCompletableFuture()
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

  @Test
  void theCommandLineAndTheHttpRouteMoveJobsToo() throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(9, 2_500, CPU_MICROS)));
    String host = runningHost(h);
    String home = cluster.node(0).selfNode();

    String byCli = otherThan(host, 0);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DriftCli.execute(new String[] {"migrate", "--node", home, h.id().value(), byCli},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().startsWith("job " + h.id() + " runs on " + byCli
        + " now (moved 1 times, frozen "), out.toString());

    StringWriter err2 = new StringWriter();
    code = DriftCli.execute(new String[] {"migrate", "--node", home, h.id().value(), byCli},
        new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true));
    assertEquals(1, code);
    assertTrue(err2.toString().contains("runs on " + byCli + " already"), err2.toString());

    String byHttp = otherThan(byCli, 0);
    HttpResponse<String> r = post(0, "/drift/jobs/" + h.id() + "/migrate?to=" + byHttp);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"moved\" : true"), r.body());
    assertEquals(byHttp, runningHost(h));
    HttpResponse<String> again = post(0, "/drift/jobs/" + h.id() + "/migrate?to=" + byHttp);
    assertEquals(409, again.statusCode(), again.body());
    assertTrue(again.body().contains("already"), again.body());
    assertEquals(404, post(0, "/drift/jobs/nosuchjob/migrate?to=home").statusCode());
    assertEquals(400, post(0, "/drift/jobs/" + h.id() + "/migrate").statusCode());
    h.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aLargeStateMovesOverTheSideChannelBitForBit() throws Exception {
    int ballast = 3 << 20; // 3 MiB: over drift.migration.side-channel.min-bytes
    long steps = 2_000;
    Unmoved never = unmoved(new SeededWalk(SEED, steps, 0, ballast));
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(SEED, steps, CPU_MICROS, ballast)));
    List<OutputLine> out = new CopyOnWriteArrayList<>();
    h.onOutput(out::add);
    String host = runningHost(h);
    for (int i = 0; i < 4; i++) {
      String target = otherThan(host, i);
      // over HTTP, whose answer says which path the state took
      HttpResponse<String> r = post(0, "/drift/jobs/" + h.id() + "/migrate?to=" + target);
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("over the side channel"), r.body());
      JobInfo after = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(target, after.host());
      assertTrue(after.bytesMoved() > (long) (i + 1) * ballast, "the ballast moved each time");
      host = target;
    }
    assertEquals(never.result(), h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertEquals(never.output(), out.stream().map(OutputLine::text).toList());
    JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(done.frozenMicros() > 0, "each move counts the time the unit stood still");
  }

  /** The frozen units' directory of node 0 (LocalCluster makes one per cluster). */
  static java.nio.file.Path frozenFile(JobHandle<?> h) {
    String self = cluster.node(0).selfNode();
    return java.nio.file.Path.of(cluster.node(0).system().settings().config()
        .getString("drift.home.frozen-dir"), self.replace(':', '_'), h.id().value() + ".frozen");
  }

  /** Units of this job on any node's executor (none while it is frozen). */
  static long unitsAnywhere(JobHandle<?> h) throws Exception {
    long n = 0;
    for (DriftNode node : cluster.nodes()) {
      n += AskPattern.<io.drift.migration.executor.Executor.Command,
              io.drift.migration.executor.Executor.Units>ask(node.refs().executor(),
              io.drift.migration.executor.Executor.GetUnits::new, Duration.ofSeconds(5),
              node.system().scheduler())
          .toCompletableFuture().get(10, TimeUnit.SECONDS).units().stream()
          .filter(u -> u.jobId().equals(h.id())).count();
    }
    return n;
  }

  @ParameterizedTest(name = "frozen from {0}")
  @ValueSource(strings = {"home", "another node"})
  void aFrozenJobHoldsNoSlotAndContinuesWithTheSameResultAndOutput(String from) throws Exception {
    long steps = 2_500;
    Unmoved never = unmoved(steps);
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(SEED, steps, CPU_MICROS)));
    List<OutputLine> out = new CopyOnWriteArrayList<>();
    h.onOutput(out::add);
    String host = runningHost(h);
    String home = cluster.node(0).selfNode();
    String wanted = from.equals("home") ? home : otherThan(home, 0);
    if (!wanted.equals(host)) {
      host = h.migrate(wanted).toCompletableFuture().get(30, TimeUnit.SECONDS).host();
    }
    int movesBefore = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS).migrations();
    ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
        Duration.ofSeconds(10), () -> {
          assertTrue(h.status().toCompletableFuture().get(5, TimeUnit.SECONDS).steps() > 0);
          return null;
        });

    JobInfo frozen = h.migrate("freeze").toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(JobState.FROZEN, frozen.state());
    assertEquals("", frozen.host(), "it runs nowhere");
    assertTrue(java.nio.file.Files.isRegularFile(frozenFile(h)), "its state is on home's disk");
    ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
        Duration.ofSeconds(10), () -> {
          assertEquals(0, unitsAnywhere(h), "no executor holds it: its slot is free");
          return null;
        });
    long stepsFrozen = frozen.steps();
    assertTrue(stepsFrozen > 0 && stepsFrozen < steps, "frozen mid-run at step " + stepsFrozen);
    assertRefused(h, "freeze", "is frozen: continue it first");
    assertRefused(h, otherThan(home, 1), "is frozen: continue it first");

    JobInfo going = h.migrate("continue").toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(JobState.RUNNING, going.state());
    assertTrue(!going.host().isEmpty());
    ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
        Duration.ofSeconds(10), () -> {
          assertTrue(!java.nio.file.Files.exists(frozenFile(h)), "the file goes once it runs");
          return null;
        });
    assertRefused(h, "continue", "only a frozen job can continue");

    assertEquals(never.result(), h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertEquals(never.output(), out.stream().map(OutputLine::text).toList());
    for (int k = 0; k < out.size(); k++) {
      assertEquals(k + 1, out.get(k).seq(), "sequence numbers run on across freeze and continue");
    }
    JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(done.migrations() > movesBefore, "the freeze counts as a move");
    assertTrue(done.frozenMicros() > 0);
  }

  @Test
  void aFrozenJobCanBeCancelledAndItsFileGoes() throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(11, 5_000, CPU_MICROS)));
    runningHost(h);
    assertEquals(JobState.FROZEN,
        h.migrate("freeze").toCompletableFuture().get(30, TimeUnit.SECONDS).state());
    assertTrue(java.nio.file.Files.isRegularFile(frozenFile(h)));
    assertEquals(JobState.CANCELLED, h.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS).state());
    ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
        Duration.ofSeconds(10), () -> {
          assertTrue(!java.nio.file.Files.exists(frozenFile(h)), "the frozen file is deleted");
          return null;
        });
    JobHandle<Long> pinned = client.submit(JobSpec.of(new SeededWalk(12, 3_000, CPU_MICROS))
        .withMigratable(false));
    runningHost(pinned);
    assertRefused(pinned, "freeze", "is pinned");
    pinned.cancel().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void freezeAndContinueByCommandLineAndHttp() throws Exception {
    JobHandle<Long> h = client.submit(JobSpec.of(new SeededWalk(13, 3_000, CPU_MICROS)));
    runningHost(h);
    String home = cluster.node(0).selfNode();
    HttpResponse<String> r = post(0, "/drift/jobs/" + h.id() + "/migrate?to=freeze");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("frozen at home"), r.body());
    assertEquals(409, post(0, "/drift/jobs/" + h.id() + "/migrate?to=freeze").statusCode());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DriftCli.execute(new String[] {"migrate", "--node", home, h.id().value(), "continue"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().startsWith("job " + h.id() + " runs on "), out.toString());
    code = DriftCli.execute(new String[] {"migrate", "--node", home, h.id().value(), "freeze"},
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("job " + h.id() + " is frozen at its home " + home),
        out.toString());
    assertEquals(200, post(0, "/drift/jobs/" + h.id() + "/migrate?to=continue").statusCode());
    h.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static HttpResponse<String> post(int node, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + cluster.node(node).httpPort() + path))
        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TestClusters.TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void assertRefused(JobHandle<?> h, String target, String why) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> h.migrate(target).toCompletableFuture().get(30, TimeUnit.SECONDS));
    MigrationRefusedException r = assertInstanceOf(MigrationRefusedException.class, e.getCause());
    assertTrue(r.getMessage().contains(why), r.getMessage());
  }
}
