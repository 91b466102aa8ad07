package io.drift.node.cli;

import static io.drift.node.cli.Cli.drift;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.node.cli.Cli.Run;
import io.drift.node.LocalCluster;
import io.drift.node.TestClusters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drift command line against a one-node cluster in this JVM. */
class CliTest {

  static LocalCluster cluster;
  static String node;

  @BeforeAll
  static void start() {
    cluster = TestClusters.startReady(List.of(2));
    node = cluster.node(0).selfNode();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void runStreamsOutputAndPrintsTheResult() {
    Run r = drift("run", "--node", node, "--name", "three-lines", "lines", "3");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertTrue(r.out().startsWith("line 1 of 3\nline 2 of 3\nline 3 of 3\n"), r.out());
    assertTrue(r.out().contains(" SUCCEEDED on " + node + ": result 3"), r.out());

    Run ps = drift("ps", "--node", node);
    assertEquals(ExitCodes.OK, ps.code(), ps.err());
    assertTrue(ps.out().startsWith("JOB "), ps.out());
    assertTrue(ps.out().contains("three-lines"), ps.out());

    Run json = drift("ps", "--json", "--node", node);
    assertEquals(ExitCodes.OK, json.code(), json.err());
    assertTrue(json.out().contains("\"name\" : \"three-lines\""), json.out());
    assertTrue(json.out().contains("\"state\" : \"SUCCEEDED\""), json.out());
  }

  @Test
  void mutatingHttpRoutesAreRefusedWhileManagementIsReadOnly() throws Exception {
    java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                + cluster.node(0).httpPort() + "/drift/jobs/abc/migrate?to=home"))
            .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    assertTrue(r.body().contains("route-providers-read-only"), r.body());
  }

  @Test
  void detachPrintsOnlyTheJobId() {
    Run r = drift("run", "--detach", "--node", node, "primes", "0", "100");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertTrue(r.out().trim().matches("[0-9a-f]{12}"), r.out());
  }

  @Test
  void badUnitsAndArgumentsExitWithTwoAndSayWhy() {
    Run unknown = drift("run", "--node", node, "sieve", "1");
    assertEquals(ExitCodes.BAD_INPUT, unknown.code());
    assertTrue(unknown.err().contains("unknown unit 'sieve'"), unknown.err());

    Run arity = drift("run", "--node", node, "primes", "5");
    assertEquals(ExitCodes.BAD_INPUT, arity.code());
    assertTrue(arity.err().contains("usage: primes FROM TO"), arity.err());

    Run notNumber = drift("run", "--node", node, "burn", "lots");
    assertEquals(ExitCodes.BAD_INPUT, notNumber.code());
    assertTrue(notNumber.err().contains("'lots' is not a whole number"), notNumber.err());

    Run missing = drift("run", "--node", node, "--class", "com.example.Nope");
    assertEquals(ExitCodes.BAD_INPUT, missing.code());
    assertTrue(missing.err().contains("unit class com.example.Nope is not on the class path"),
        missing.err());

    Run flag = drift("run", "--no-such-flag");
    assertEquals(ExitCodes.BAD_INPUT, flag.code());
  }

  @Test
  void aFailingJobExitsWithOne() {
    Run r = drift("run", "--node", node, "--class", FailingUnit.class.getName(), "kaboom");
    assertEquals(ExitCodes.JOB_FAILED, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("java.lang.IllegalArgumentException: kaboom"), r.err());
  }

  @Test
  void aNodeWithAMalformedConfigRefusesToStartAndNamesTheKey(@TempDir Path dir) throws Exception {
    Path conf = dir.resolve("bad.conf");
    Files.writeString(conf, "drift.node.slots = many\n");
    Run r = drift("node", "--config", conf.toString(), "--port", "0");
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out());
    assertTrue(r.err().contains("invalid configuration"), r.err());
    assertTrue(r.err().contains("drift.node.slots"), r.err());

    Run missingFile = drift("node", "--config", dir.resolve("nope.conf").toString());
    assertEquals(ExitCodes.BAD_INPUT, missingFile.code());
    assertTrue(missingFile.err().contains("does not exist"), missingFile.err());
  }

  @Test
  void aNodeThatCannotJoinItsSeedsSaysSoAndExitsWithThree(@TempDir Path dir) throws Exception {
    int nobody = LocalCluster.freePorts(1).get(0);
    Path conf = dir.resolve("lonely.conf");
    Files.writeString(conf, String.join("\n",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.management.http.port = 0",
        "pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes = 3s",
        "pekko.cluster.seed-node-timeout = 1s"));
    Run r = drift("node", "--config", conf.toString(), "--seed", "127.0.0.1:" + nobody);
    assertEquals(ExitCodes.UNAVAILABLE, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("could not join the seed nodes [pekko://drift@127.0.0.1:" + nobody
        + "] within 3s"), r.err());
  }

  @Test
  void theDemoRunsItsJobsOnSeveralNodesAndExitsWithZero() {
    Run r = drift("demo", "--jobs", "6");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("total: 6 jobs, 6 succeeded, ran on "), r.out());
    assertTrue(!r.out().contains("ran on 1 nodes"), r.out());
  }
}
