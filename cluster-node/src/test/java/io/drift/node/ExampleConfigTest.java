package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example in conf/ parses and passes the node's settings checks. */
class ExampleConfigTest {

  static Stream<Path> examples() throws IOException {
    Path conf = Path.of("").toAbsolutePath().getParent().resolve("conf");
    List<Path> files;
    try (Stream<Path> walk = Files.walk(conf)) {
      // k8s*.conf need a pod's POD_IP and TLS stores: K8sManifestsTest checks them;
      // production/ is not for this machine: it needs TLS material (ProductionConfigTest)
      files = walk.filter(p -> p.toString().endsWith(".conf"))
          .filter(p -> !p.getFileName().toString().startsWith("k8s"))
          .filter(p -> !p.startsWith(conf.resolve("production"))).sorted().toList();
    }
    assertFalse(files.isEmpty(), "no examples found under " + conf);
    return files.stream();
  }

  @ParameterizedTest
  @MethodSource("examples")
  void parsesAndValidates(Path file) {
    Config c = DriftConfig.forNode(file, Map.of());
    NodeSettings s = NodeSettings.fromConfig(c);
    assertFalse(c.getStringList("pekko.cluster.seed-nodes").isEmpty(), "seed nodes of " + file);
    assertEquals("127.0.0.1", c.getString("pekko.remote.artery.canonical.hostname"));
    assertTrue(s.slots() >= 1, "slots of " + file);
    // a grid's partner table names other clusters, by the terms a table takes
    String dc = c.getString("pekko.cluster.multi-data-center.self-data-center");
    io.drift.balancer.grid.PartnerTable t = io.drift.balancer.grid.PartnerTable.fromConfig(dc,
        c, io.drift.balancer.grid.GridTerms.PATH);
    if (file.getParent().getFileName().toString().equals("grid")) {
      assertEquals(1, t.partners().size(), "the other cluster of " + file);
    }
  }

  @Test
  void aSpeedIsANumberOrMeasuredAtStart() {
    assertEquals(2.5, NodeSettings.fromConfig(
        DriftConfig.forNode(null, Map.of("drift.node.speed", "2.5"))).speed(), 1e-12);
    double auto = NodeSettings.fromConfig(
        DriftConfig.forNode(null, Map.of("drift.node.speed", "auto"))).speed();
    assertTrue(auto > 0 && Double.isFinite(auto), "calibrated speed " + auto);
  }

  @Test
  void memoryIsASizeOrThreeQuartersOfTheHeap() {
    assertEquals(512L << 20, NodeSettings.fromConfig(
        DriftConfig.forNode(null, Map.of("drift.node.memory", "512MiB"))).memoryBytes());
    assertEquals(Runtime.getRuntime().maxMemory() / 4 * 3, NodeSettings.fromConfig(
        DriftConfig.forNode(null, Map.of("drift.node.memory", "auto"))).memoryBytes());
    for (Object bad : new Object[] {"lots", "10KiB", -1}) {
      com.typesafe.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
          com.typesafe.config.ConfigException.class, () -> NodeSettings.fromConfig(
              DriftConfig.forNode(null, Map.of("drift.node.memory", bad))));
      assertTrue(e.getMessage().contains("drift.node.memory"), e.getMessage());
    }
  }
}
