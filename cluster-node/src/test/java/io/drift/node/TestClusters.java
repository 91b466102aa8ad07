package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;

/** Starts a {@link LocalCluster} for a test and waits with a probe until it is ready. */
public final class TestClusters {
  private TestClusters() {}

  /**
   * Settings that make tests quicker than production: samples 5x as often. Balancers do not
   * move units by themselves here, so that tests of other things see units stay where they put
   * them; the tests of automatic balancing turn it on.
   */
  public static final Map<String, Object> FAST = Map.of("drift.load.interval", "50ms",
      "drift.balancer.migrate", "off");

  /** The management token of the test clusters whose routes are writable. */
  public static final String TOKEN = "test-token-0123456789abcdef";

  /** Management routes that act, behind {@link #TOKEN} (read-only is the default). */
  public static final Map<String, Object> WRITABLE = Map.of(
      "pekko.management.http.route-providers-read-only", false,
      "drift.management.token", TOKEN);

  public static LocalCluster startReady(List<Integer> slots) {
    return startReady(slots, Map.of());
  }

  /** With these settings on every node, on top of {@link #FAST}. */
  public static LocalCluster startReady(List<Integer> slots, Map<String, Object> extra) {
    return startReady(slots, extra, Map.of());
  }

  public static LocalCluster startReady(List<Integer> slots, Map<String, Object> extra,
      Map<Integer, Map<String, ?>> perNode) {
    Map<String, Object> settings = new java.util.HashMap<>(FAST);
    settings.putAll(extra);
    LocalCluster cluster = LocalCluster.start(slots, settings, perNode);
    try {
      ActorTestKit kit = ActorTestKit.create(cluster.node(0).system());
      kit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
        assertTrue(cluster.isReady(), "every node Up and every sample known at every node");
        return null;
      });
      return cluster;
    } catch (RuntimeException | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  /** Waits until the job runs (it is placed a moment after submission) and says where. */
  public static String runningHost(LocalCluster cluster, io.drift.api.JobHandle<?> h) {
    return ActorTestKit.create(cluster.node(0).system()).createTestProbe().awaitAssert(
        Duration.ofSeconds(10), () -> {
          io.drift.api.JobInfo info = h.status().toCompletableFuture()
              .get(5, java.util.concurrent.TimeUnit.SECONDS);
          org.junit.jupiter.api.Assertions.assertEquals(io.drift.api.JobState.RUNNING,
              info.state());
          return info.host();
        });
  }

  /** Round robin over the nodes that are not {@code host}. */
  public static String otherThan(LocalCluster cluster, String host, int i) {
    List<String> others = cluster.nodes().stream().map(DriftNode::selfNode)
        .filter(n -> !n.equals(host)).toList();
    return others.get(i % others.size());
  }
}
