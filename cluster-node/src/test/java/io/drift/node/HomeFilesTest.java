package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.node.client.DriftClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Units doing their file I/O at home, wherever they run, between three nodes in one JVM. */
class HomeFilesTest {

  @TempDir
  static Path workspaces;

  static LocalCluster cluster;
  static DriftClient client;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestClusters.startReady(List.of(2, 2, 2),
        Map.of("drift.home.workspace-root", workspaces.toString(),
            "drift.home.max-file-bytes", "1MiB"));
    client = DriftClient.connect(cluster.node(0).selfNode());
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

  static Path file(JobHandle<?> h, String name) {
    return workspaces.resolve(h.id().value()).resolve(name);
  }

  @Test
  void aUnitMovedTwentyTimesLeavesTheSameFilesAsOneThatNeverMoved() throws Exception {
    // 10,000 numbered lines out, 2,000 lines in, read back 23 bytes at a time
    JobHandle<Long> still = client.submit(JobSpec.of(new FileLedger(2_000, 10_000, 20, 0)));
    long stillResult = still.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
    assertEquals(0, still.status().toCompletableFuture().get(5, TimeUnit.SECONDS).migrations());

    JobHandle<Long> moved = client.submit(JobSpec.of(new FileLedger(2_000, 10_000, 20, 4_000)));
    String host = TestClusters.runningHost(cluster, moved);
    for (int i = 0; i < 20; i++) {
      String target = TestClusters.otherThan(cluster, host, i);
      JobInfo after = moved.migrate(target).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(target, after.host(), "move " + (i + 1));
      assertEquals(JobState.RUNNING, after.state(), "still running at move " + (i + 1));
      host = target;
    }
    assertEquals(stillResult, moved.result().toCompletableFuture().get(120, TimeUnit.SECONDS));
    assertEquals(20, moved.status().toCompletableFuture().get(5, TimeUnit.SECONDS).migrations());

    for (String name : List.of(FileLedger.INPUT, FileLedger.OUTPUT)) {
      byte[] expected = Files.readAllBytes(file(still, name));
      assertArrayEquals(expected, Files.readAllBytes(file(moved, name)), name);
    }
    List<String> lines = Files.readAllLines(file(moved, FileLedger.OUTPUT),
        StandardCharsets.UTF_8);
    assertEquals(10_000, lines.size());
    for (int k = 0; k < lines.size(); k++) {
      assertTrue(lines.get(k).startsWith((k + 1) + " "), "line " + (k + 1) + ": " + lines.get(k));
    }
  }

  static String probe(String mode, int bytes) throws Exception {
    return client.submit(JobSpec.of(new FileProbe(mode, bytes))).result().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void filesAreWrittenListedReadAndDeletedAtHome() throws Exception {
    assertEquals("a/;one.txt,two.bin;4;6;xyz", probe("round-trip", 0));
  }

  @Test
  void aNamedWorkspaceHoldsFilesPutThereBeforeTheJobAndJobsShareIt() throws Exception {
    Path dir = workspaces.resolve("team/inputs");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("prepared.txt"), "made before the job");
    JobSpec<String> spec = JobSpec.of(new FileProbe("read-prepared", 0))
        .withWorkspace("team//./inputs");
    assertEquals("team/inputs", spec.workspace(), "written one way");
    assertEquals("made before the job",
        client.submit(spec).result().toCompletableFuture().get(30, TimeUnit.SECONDS));
    IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
        () -> JobSpec.of(new FileProbe("read-prepared", 0)).withWorkspace("../elsewhere"));
    assertTrue(out.getMessage().contains("'..'"), out.getMessage());
  }

  @Test
  void badPathsAndMissingFilesAreIoExceptionsInTheStepNotCrashes() throws Exception {
    String escape = probe("escape", 0);
    assertTrue(escape.startsWith("AccessDeniedException") && escape.contains("'..'"), escape);
    String absolute = probe("absolute", 0);
    assertTrue(absolute.startsWith("AccessDeniedException") && absolute.contains("absolute"),
        absolute);
    String missing = probe("missing", 0);
    assertTrue(missing.startsWith("NoSuchFileException") && missing.contains("no-such-file"),
        missing);
    assertTrue(Files.notExists(workspaces.resolve("other-job")), "nothing written outside");
  }

  @Test
  void aWriteOverTheSizeLimitIsRefusedAndSaysSo() throws Exception {
    // the test cluster allows 1 MiB a file: the second 600 KiB is refused at home
    String caught = probe("too-big-caught", 600 * 1024);
    assertTrue(caught.startsWith("IOException") && caught.contains("max-file-bytes"), caught);
    JobHandle<String> h = client.submit(JobSpec.of(new FileProbe("too-big", 600 * 1024)));
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> h.result().toCompletableFuture().get(30, TimeUnit.SECONDS));
    JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(JobState.FAILED, info.state());
    assertTrue(info.error().contains("max-file-bytes"), info.error() + " / " + failed);
    assertEquals(600 * 1024, Files.size(file(h, "big")), "the refused write left no trace");
  }
}
