package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.api.SubmissionRejectedException;
import io.drift.api.WorkUnit;
import io.drift.api.units.PrintLines;
import io.drift.migration.code.CodeStore;
import io.drift.migration.codec.StateCodec;
import io.drift.node.client.DriftClient;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job code from home: jars no node has on its class path, fetched by the nodes that run them. */
class JobCodeTest {

  @TempDir static Path dir;
  static Path codeDir;
  static LocalCluster cluster;
  static DriftClient client;
  static ActorTestKit kit;

  @BeforeAll
  static void start() throws Exception {
    codeDir = Files.createDirectories(dir.resolve("code"));
    cluster = TestClusters.startReady(List.of(2, 2, 2),
        Map.of("drift.home.code-dir", codeDir.toString()));
    client = DriftClient.connect(cluster.node(0).selfNode());
    kit = ActorTestKit.create(cluster.node(0).system());
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

  @Test
  @SuppressWarnings("unchecked")
  void aJobFromAJarNoNodeHasRunsAndMovesAndTwoVersionsOfOneClassRunSideBySide()
      throws Exception {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("demo.Counter"),
        "the test's own class path must not have the unit");
    Path v1 = UserJars.counter(dir, "v1");
    Path v2 = UserJars.counter(dir, "v2");
    assertNotEquals(CodeStore.hash(v1), CodeStore.hash(v2));
    long steps = 3_000;
    List<JobHandle<Object>> jobs = new ArrayList<>();
    List<List<OutputLine>> outputs = new ArrayList<>();
    for (Path jar : List.of(v1, v2)) {
      WorkUnit<Object> unit = (WorkUnit<Object>) UserJars.load(jar, "demo.Counter", "" + steps);
      JobHandle<Object> h = client.submit(JobSpec.of(unit).withJar(jar));
      List<OutputLine> out = new CopyOnWriteArrayList<>();
      h.onOutput(out::add);
      jobs.add(h);
      outputs.add(out);
    }
    // each moves to every node in turn while both run: each node fetches both jars from home
    List<Set<String>> hosts = List.of(new LinkedHashSet<>(), new LinkedHashSet<>());
    for (int j = 0; j < 2; j++) {
      hosts.get(j).add(TestClusters.runningHost(cluster, jobs.get(j)));
    }
    for (int move = 0; move < 4; move++) {
      for (int j = 0; j < 2; j++) {
        String target = cluster.node((move + j + 1) % 3).selfNode();
        JobInfo info = jobs.get(j).migrate(target).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
        if (!info.host().equals(target)) { // it was there already: one step on
          target = cluster.node((move + j + 2) % 3).selfNode();
          info = jobs.get(j).migrate(target).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertEquals(target, info.host(), "job " + j + ", move " + move);
        assertEquals(JobState.RUNNING, info.state(), "it was still running at move " + move);
        hosts.get(j).add(target);
      }
    }
    for (int j = 0; j < 2; j++) {
      String version = j == 0 ? "v1" : "v2";
      Object result = jobs.get(j).result().toCompletableFuture().get(90, TimeUnit.SECONDS);
      assertEquals(version + " counted " + steps, result.toString());
      assertEquals("demo.Tally", result.getClass().getName());
      JobInfo done = jobs.get(j).status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertTrue(done.migrations() >= 4, done.toString());
      List<OutputLine> out = outputs.get(j);
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(steps / 100, out.size());
        return null;
      });
      for (int k = 0; k < out.size(); k++) {
        assertEquals(version + " at " + (k + 1) * 100, out.get(k).text(), "each line once");
      }
      String hash = CodeStore.hash(j == 0 ? v1 : v2);
      for (String host : hosts.get(j)) {
        assertTrue(Files.isRegularFile(codeDir.resolve(host.replace(':', '_'))
            .resolve(hash + ".jar")), version + "'s jar was fetched to " + host);
      }
      assertEquals(3, hosts.get(j).size(), "job " + j + " ran on every node: " + hosts.get(j));
    }
  }

  record Cli(int code, String out, String err) {}

  static Cli drift(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = io.drift.node.cli.DriftCli.execute(args, new java.io.PrintWriter(out, true),
        new java.io.PrintWriter(err, true));
    return new Cli(code, out.toString(), err.toString());
  }

  @Test
  void theCommandLineRunsAUnitFromAJarAndSaysWhatIsWrongWithBadOnes() throws Exception {
    Path jar = UserJars.counter(dir, "cli");
    String node = cluster.node(1).selfNode(); // a home that has never seen the jar
    Cli ok = drift("run", "--node", node, "--jar", jar.toString(), "--class", "demo.Counter",
        "300");
    assertEquals(io.drift.node.cli.ExitCodes.OK, ok.code(), ok.err());
    assertTrue(ok.out().startsWith("cli at 100\ncli at 200\ncli at 300\n"), ok.out());
    assertTrue(ok.out().contains(": result cli counted 300"), ok.out());

    Path text = Files.writeString(dir.resolve("text.jar"), "not a zip");
    for (String[] bad : List.of(
        new String[] {"--jar", text.toString(), "--class", "demo.Counter", "1", "is not a jar"},
        new String[] {"--jar", jar.toString(), "--class", "demo.Plain", "1",
            "demo.Plain is not a io.drift.api.WorkUnit"},
        new String[] {"--jar", jar.toString(), "--class", "demo.Nope", "1",
            "unit class demo.Nope is not in the jar"},
        new String[] {"--jar", jar.toString(), "primes", "1", "9", "--jar needs --class"})) {
      List<String> args = new ArrayList<>(List.of("run", "--node", node));
      args.addAll(List.of(bad).subList(0, bad.length - 1));
      Cli r = drift(args.toArray(new String[0]));
      assertEquals(io.drift.node.cli.ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
      assertTrue(r.err().contains(bad[bad.length - 1]), r.err());
    }
  }

  @Test
  void aFileThatIsNotAJarIsRefusedWithTheReason() throws Exception {
    Path notAJar = Files.writeString(dir.resolve("not-a.jar"), "hello, I am text");
    SubmissionRejectedException e = assertThrows(SubmissionRejectedException.class,
        () -> client.submit(JobSpec.of(new PrintLines(1)).withJar(notAJar)));
    assertTrue(e.getMessage().contains("not a jar"), e.getMessage());

    Path empty = UserJars.jar(dir, "resources-only", Map.of());
    e = assertThrows(SubmissionRejectedException.class,
        () -> client.submit(JobSpec.of(new PrintLines(1)).withJar(empty)));
    assertTrue(e.getMessage().contains("holds no classes"), e.getMessage());
  }

  @Test
  void aClassOfTheJarThatIsNotAUnitAndAJarNeverSentAreRefusedAtTheGateway() throws Exception {
    Path jar = UserJars.counter(dir, "plain");
    String hash = CodeStore.hash(jar);
    TestProbe<Gateway.CodeAck> acks = kit.createTestProbe();
    byte[] bytes = Files.readAllBytes(jar);
    cluster.node(0).refs().gateway().tell(
        new Gateway.PutCode(hash, 0, bytes, bytes.length, acks.ref()));
    Gateway.CodeAck ack = acks.expectMessageClass(Gateway.CodeAck.class);
    assertTrue(ack.stored() && ack.error() == null, ack.toString());

    Object plain;
    try (URLClassLoader l = new URLClassLoader(new URL[] {jar.toUri().toURL()})) {
      plain = l.loadClass("demo.Plain").getConstructor().newInstance();
    }
    TestProbe<Gateway.SubmitReply> replies = kit.createTestProbe();
    StateCodec codec = new StateCodec();
    cluster.node(0).refs().gateway().tell(new Gateway.Submit("plain", codec.encode(plain), 0,
        true, null, hash, replies.ref()));
    String why = replies.expectMessageClass(Gateway.Rejected.class).reason();
    assertTrue(why.contains("demo.Plain is not a io.drift.api.WorkUnit"), why);

    String never = "ab".repeat(32);
    cluster.node(0).refs().gateway().tell(new Gateway.Submit("ghost",
        codec.encode(new PrintLines(1)), 0, true, null, never, replies.ref()));
    why = replies.expectMessageClass(Gateway.Rejected.class).reason();
    assertTrue(why.contains("has no jar " + never), why);

    // a piece that does not match what was announced ends that upload with the reason
    cluster.node(0).refs().gateway().tell(
        new Gateway.PutCode(never, 0, new byte[] {1, 2, 3}, 3, acks.ref()));
    ack = acks.expectMessageClass(Gateway.CodeAck.class);
    assertTrue(ack.error() != null && ack.error().contains("SHA-256"), ack.toString());
  }
}
