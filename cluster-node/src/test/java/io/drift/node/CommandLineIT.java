package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.drift.node.cli.HelpTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code drift} command, the real {@code bin/drift} as a user types it, against three node
 * processes on loopback: its output is checked, parsed where it is JSON. {@code run} is also run
 * under a pseudo-terminal ({@code script}), where it draws a progress bar that moves and ends at
 * 100%. Bad input gets one line and its exit code, never a stack trace.
 */
class CommandLineIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static NodeProcesses nodes;
  static ActorTestKit kit;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("cli.conf");
    // the verbs need a writable management port; no automatic moves, so placements stay put
    Files.writeString(conf, String.join("\n",
        "pekko.management.http.route-providers-read-only = false",
        "drift.management.token = \"" + TestClusters.TOKEN + "\"",
        "drift.balancer.migrate = off"));
    kit = ActorTestKit.create();
    nodes = NodeProcesses.start("cli", 3, conf);
    nodes.awaitCluster(kit.createTestProbe());
  }

  @AfterAll
  static void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  record Run(int code, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }

    String both() {
      return out + err;
    }
  }

  static Run drift(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(NodeProcesses.ROOT.resolve("bin/drift")
        .toString()));
    cmd.addAll(List.of(args));
    return exec(cmd);
  }

  static Run exec(List<String> cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("DRIFT_NO_BUILD", "1");
    pb.environment().put("DRIFT_TOKEN", TestClusters.TOKEN); // as an operator exports it
    pb.environment().put("DRIFT_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    Path out = Files.createTempFile("drift-cli-", ".out");
    Path err = Files.createTempFile("drift-cli-", ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    try {
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd));
      return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  static String http(int i) {
    return "127.0.0.1:" + nodes.httpPort(i);
  }

  static Map<String, JsonNode> jobsById(Run ps) throws Exception {
    Map<String, JsonNode> byId = new HashMap<>();
    ps.json().forEach(j -> byId.put(j.get("id").asText(), j));
    return byId;
  }

  @Test
  void everyCommandWorksAgainstNodeProcesses() throws Exception {
    String n0 = nodes.node(0);
    String n1 = nodes.node(1);
    String n2 = nodes.node(2);
    TestProbe<Object> probe = kit.createTestProbe();

    // help: the commands are listed (each command's own help: HelpTest, in process)
    Run help = drift("--help");
    assertEquals(0, help.code(), help.both());
    for (String c : HelpTest.COMMANDS) {
      assertTrue(help.out().contains(c), c + " in " + help.out());
    }

    // demo: the README's first command, three nodes of its own in one process
    Run demo = drift("demo", "--jobs", "3");
    assertEquals(0, demo.code(), demo.both());

    // run: follow a job to its result; detach; start where asked; pin
    Run primes = drift("run", "--node", n0, "primes", "0", "20000");
    assertEquals(0, primes.code(), primes.both());
    assertTrue(primes.out().contains("SUCCEEDED") && primes.out().contains("result 2262"),
        primes.out());
    String a = drift("run", "--detach", "--node", n0, "burn", "300000").out().strip();
    String b = drift("run", "--detach", "--on", n2, "--node", n0, "burn", "300000").out().strip();
    String c = drift("run", "--detach", "--home", "--lock", "--node", n0, "burn", "300000")
        .out().strip();
    probe.awaitAssert(Duration.ofSeconds(20), Duration.ofMillis(500), () -> {
      Map<String, JsonNode> jobs = jobsById(drift("ps", "--json", "--node", n0));
      for (String id : List.of(a, b, c)) {
        assertEquals("RUNNING", jobs.get(id).get("state").asText(), id);
      }
      assertEquals(n2, jobs.get(b).get("host").asText());
      assertEquals(n0, jobs.get(c).get("host").asText());
      return null;
    });

    // ps --all from another node, as a table
    Run all = drift("ps", "--all", "--node", n1);
    assertEquals(0, all.code(), all.both());
    assertTrue(all.out().lines().findFirst().orElse("").matches(
        "JOB +NAME +HOME +WHERE +STATE +MIGS +CPU +PROGRESS +AGE"), all.out());
    for (String id : List.of(a, b, c)) {
      assertTrue(all.out().contains(id), id + " in " + all.out());
    }

    // migrate: to a node, freeze, continue; a pinned job is refused
    String aHost = jobsById(drift("ps", "--json", "--node", n0)).get(a).get("host").asText();
    String aTo = aHost.equals(n1) ? n2 : n1;
    Run moved = drift("migrate", a, aTo, "--node", n0);
    assertEquals(0, moved.code(), moved.both());
    JsonNode aNow = jobsById(drift("ps", "--json", "--node", n0)).get(a);
    assertEquals(aTo, aNow.get("host").asText());
    assertEquals(1, aNow.get("migrations").asInt());
    assertEquals(0, drift("migrate", a, "freeze", "--node", n0).code());
    assertEquals("FROZEN", jobsById(drift("ps", "--json", "--node", n0)).get(a).get("state")
        .asText());
    assertEquals(0, drift("migrate", a, "continue", "--node", n0).code());
    Run pinned = drift("migrate", c, n1, "--node", n0);
    assertEquals(1, pinned.code(), pinned.both());
    assertTrue(pinned.err().contains("pinned"), pinned.err());

    // why: where it was placed and each move, with reasons
    Run why = drift("why", a, "--json", "--node", n1);
    assertEquals(0, why.code(), why.both());
    assertEquals("place", why.json().get(0).get("decision").get("kind").asText(), why.out());

    // mon: a chart, and JSON once
    Run mon = drift("mon", "--count", "1", "--node", n0);
    assertEquals(0, mon.code(), mon.both());
    for (String n : List.of(n0, n1, n2)) {
      assertTrue(mon.out().contains(n), n + " in " + mon.out());
    }
    JsonNode monJson = drift("mon", "--json", "--node", n1).json();
    assertEquals(3, monJson.size());
    monJson.forEach(n -> assertEquals(2, n.get("slots").asInt()));

    // members, through Pekko Management
    Run members = drift("members", "--json", "--http", http(0));
    assertEquals(0, members.code(), members.both());
    assertEquals(3, members.json().get("members").size());
    assertTrue(drift("members", "--http", http(0)).out().contains("leader:"));

    // ctl: status, block/noblock, stay/nostay, expel, bring
    JsonNode status = drift("ctl", "status", "--json", "--http", http(1)).json();
    assertEquals(n1, status.get("node").asText());
    assertFalse(status.get("blocked").asBoolean());
    assertTrue(drift("ctl", "block", "--http", http(1)).out().contains("blocked: true"));
    assertTrue(drift("ctl", "noblock", "--http", http(1)).out().contains("blocked: false"));
    assertTrue(drift("ctl", "stay", "--http", http(1)).out().contains("stay: true"));
    assertTrue(drift("ctl", "nostay", "--http", http(1)).out().contains("stay: false"));
    Run expel = drift("ctl", "expel", "--within", "60s", "--http", http(2));
    assertEquals(0, expel.code(), expel.both());
    assertNotEquals(n2, jobsById(drift("ps", "--json", "--node", n0)).get(b).get("host")
        .asText(), "the guest left node 2");
    assertEquals(0, drift("ctl", "noblock", "--http", http(2)).code());
    Run bring = drift("ctl", "bring", "--json", "--http", http(0));
    assertEquals(0, bring.code(), bring.both());
    Map<String, JsonNode> home = jobsById(drift("ps", "--json", "--node", n0));
    for (String id : List.of(a, b, c)) {
      assertEquals(n0, home.get(id).get("host").asText(), id + " came home");
    }

    // drain: node 2 leaves the cluster
    Run drain = drift("ctl", "drain", "--within", "60s", "--http", http(2));
    assertEquals(0, drain.code(), drain.both());
    assertTrue(drain.out().contains("left: true"), drain.out());
    probe.awaitAssert(Duration.ofSeconds(30), Duration.ofMillis(500), () -> {
      assertEquals(2, drift("members", "--json", "--http", http(0)).json().get("members")
          .size());
      return null;
    });
  }

  @Test
  void onATerminalRunDrawsAProgressBarThatMovesAndEndsAtOneHundredPercent() throws Exception {
    String drift = NodeProcesses.ROOT.resolve("bin/drift").toString();
    // script(1) gives the command a pseudo-terminal; its output is what the terminal showed
    Run tty = exec(List.of("script", "-qec", drift + " run --node " + nodes.node(0)
        + " burn 2500", "/dev/null"));
    assertEquals(0, tty.code(), tty.both());
    Matcher m = Pattern.compile("\\r\\u001b\\[K\\[[#.]{30}\\] +(\\d+)%").matcher(tty.out());
    TreeSet<Integer> seen = new TreeSet<>();
    while (m.find()) {
      seen.add(Integer.parseInt(m.group(1)));
    }
    assertTrue(seen.size() >= 3, "the bar moved: " + seen);
    assertEquals(100, seen.last(), "it ends at 100%: " + seen);
    assertTrue(tty.out().contains("SUCCEEDED"), tty.out());

    Run piped = drift("run", "--node", nodes.node(0), "burn", "500");
    assertEquals(0, piped.code(), piped.both());
    assertFalse(piped.out().contains("\r") || piped.out().contains("%"), piped.out());
  }

  @Test
  void badInputGetsOneLineAndAnExitCodeNeverAStackTrace() throws Exception {
    Map<List<String>, Integer> cases = new java.util.LinkedHashMap<>();
    cases.put(List.of("frobnicate"), 2);
    cases.put(List.of("ps", "--bogus"), 2);
    cases.put(List.of("run", "--node", nodes.node(0)), 2);
    cases.put(List.of("why", "not!a!job", "--node", nodes.node(0)), 2);
    cases.put(List.of("ctl", "explode", "--http", http(0)), 2);
    cases.put(List.of("migrate", "0123456789ab", nodes.node(1), "--node", nodes.node(0)), 1);
    cases.put(List.of("ps", "--node", "127.0.0.1:1"), 3);
    cases.put(List.of("ctl", "status", "--http", "127.0.0.1:1"), 3);
    cases.put(List.of("ctl", "block", "--token", "a-wrong-token-0123456789", "--http", http(1)), 2);
    for (Map.Entry<List<String>, Integer> e : cases.entrySet()) {
      Run r = drift(e.getKey().toArray(new String[0]));
      String what = String.join(" ", e.getKey()) + ": " + r.both();
      assertEquals(e.getValue(), r.code(), what);
      assertFalse(r.both().contains("\tat ") || r.both().contains("Exception in thread"), what);
      assertTrue(!r.err().isBlank(), what);
    }
  }
}
