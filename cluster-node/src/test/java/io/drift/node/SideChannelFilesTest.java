package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.node.client.DriftClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * File data of a unit on another node than its home: in bulk over the side channel (decision
 * 0016), or all over Artery when the channel is off; the same bytes either way.
 */
class SideChannelFilesTest {

  @TempDir Path workspaces;

  @ParameterizedTest(name = "side channel {0}")
  @ValueSource(strings = {"on", "off"})
  void aGuestWritesAndReadsMebibytesAtHomeAndGetsBackWhatItWrote(String side) throws Exception {
    try (LocalCluster cluster = TestClusters.startReady(List.of(1, 1),
            Map.of("drift.home.workspace-root", workspaces.toString(),
                "drift.migration.side-channel.enabled", side));
        DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      JobHandle<String> h = client.submit(JobSpec.of(new BulkFiles(6)));
      String guestNode = cluster.node(1).selfNode();
      if (!TestClusters.runningHost(cluster, h).equals(guestNode)) {
        assertEquals(guestNode, h.migrate(guestNode).toCompletableFuture()
            .get(30, TimeUnit.SECONDS).host());
      }
      Path dir = Files.createDirectories(workspaces.resolve(h.id().value()));
      Files.write(dir.resolve("go"), new byte[0]);
      assertEquals("ok " + 6 * (1 << 20) + " " + (3 * (1 << 20) + 17),
          h.result().toCompletableFuture().get(90, TimeUnit.SECONDS));
      assertEquals(guestNode, h.status().toCompletableFuture().get(5, TimeUnit.SECONDS).host());
      byte[] file = Files.readAllBytes(dir.resolve("data"));
      for (int k = 0; k < file.length; k++) {
        if (file[k] != BulkFiles.expected(k)) {
          throw new AssertionError("the file at home differs at " + k);
        }
      }
    }
  }

  @ParameterizedTest(name = "side channel {0}")
  @ValueSource(strings = {"on", "off"})
  void aGuestReadingOnStreamsAndSeesItsOwnWriteAndReadsHereAndThereAlike(String side)
      throws Exception {
    try (LocalCluster cluster = TestClusters.startReady(List.of(1, 1),
            Map.of("drift.home.workspace-root", workspaces.toString(),
                "drift.migration.side-channel.enabled", side));
        DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      JobHandle<String> h = client.submit(JobSpec.of(new StreamReads()));
      String guestNode = cluster.node(1).selfNode();
      if (!TestClusters.runningHost(cluster, h).equals(guestNode)) {
        h.migrate(guestNode).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      Path dir = Files.createDirectories(workspaces.resolve(h.id().value()));
      byte[] input = new byte[6 * (1 << 20) + 1234]; // a ragged end
      new java.util.SplittableRandom(6).nextBytes(input);
      Files.write(dir.resolve("input"), input);
      Files.write(dir.resolve("go"), new byte[0]);
      assertEquals(StreamReads.expected(input),
          h.result().toCompletableFuture().get(90, TimeUnit.SECONDS));
      assertEquals(guestNode, h.status().toCompletableFuture().get(5, TimeUnit.SECONDS).host());
    }
  }
}
