package io.drift.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.node.DriftNode;
import io.drift.node.FileLedger;
import io.drift.node.LocalCluster;
import io.drift.node.SeededWalk;
import io.drift.node.TestClusters;
import io.drift.node.client.DriftClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} scraped while jobs move about: every scrape parses as Prometheus text, and
 * the counters move between scrapes: migrations (count, bytes, pause histogram), decisions by
 * reason, checkpoints kept, home I/O bytes, jobs by state, every node's load and gossip age.
 */
public class MetricsTest {

  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path workspaces;

  public static Map<String, PrometheusText.Family> scrape(LocalCluster c, int node)
      throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + c.node(node).httpPort() + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        r.headers().toString());
    // the last scrape stays for a reader: target/metrics-sample.txt
    java.nio.file.Files.writeString(Path.of("target", "metrics-sample.txt"), r.body());
    return PrometheusText.parse(r.body());
  }

  /** The sum of a family's samples named {@code sample} whose labels include {@code match}. */
  public static double sum(Map<String, PrometheusText.Family> m, String family, String sample,
      Map<String, String> match) {
    PrometheusText.Family f = m.get(family);
    if (f == null) {
      return 0;
    }
    return f.samples().stream().filter(s -> s.name().equals(sample))
        .filter(s -> s.labels().entrySet().containsAll(match.entrySet()))
        .mapToDouble(PrometheusText.Sample::value).sum();
  }

  @Test
  void theCountersMoveWhileJobsMigrateAndEveryScrapeParses() throws Exception {
    Map<String, Object> settings = Map.of("drift.home.workspace-root", workspaces.toString(),
        "drift.executor.checkpoint-interval", "200ms");
    try (LocalCluster c = TestClusters.startReady(List.of(2, 2, 2), settings);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();
      String home = c.node(0).selfNode();
      Map<String, String> here = Map.of("node", home);
      Map<String, PrometheusText.Family> before = scrape(c, 0);
      assertTrue(before.containsKey("drift_jobs"), before.keySet().toString());

      List<JobHandle<Long>> jobs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        // 6 s of CPU each: running through all the moves below
        jobs.add(client.submit(JobSpec.of(new SeededWalk(20261122L, 6_000, 1_000))));
      }
      // home I/O: 12,000 lines written, 2,000 read back; about 6 s
      JobHandle<Long> ledger = client.submit(JobSpec.of(new FileLedger(2_000, 12_000, 20,
          10_000)));
      jobs.add(ledger);
      // a bounded soak: 16 moves round the three nodes, a scrape after every fourth
      List<Map<String, PrometheusText.Family>> scrapes = new ArrayList<>();
      for (int k = 0; k < 16; k++) {
        JobHandle<Long> h = jobs.get(k % jobs.size());
        String host = TestClusters.runningHost(c, h);
        JobInfo after = h.migrate(TestClusters.otherThan(c, host, k)).toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
        assertTrue(after.migrations() > 0, after.toString());
        if (k % 4 == 3) {
          scrapes.add(scrape(c, 0));
        }
      }
      Map<String, PrometheusText.Family> during = scrapes.get(scrapes.size() - 1);
      assertTrue(sum(during, "drift_jobs", "drift_jobs", Map.of("node", home,
          "state", "RUNNING")) >= 1, "jobs running, by the gauge");
      for (int i = 1; i < scrapes.size(); i++) {
        double prev = sum(scrapes.get(i - 1), "drift_migrations_total", "drift_migrations_total",
            Map.of("node", home, "kind", "move"));
        double now = sum(scrapes.get(i), "drift_migrations_total", "drift_migrations_total",
            Map.of("node", home, "kind", "move"));
        assertEquals(prev + 4, now, "four moves between scrapes " + i + " and " + (i + 1));
      }
      for (JobHandle<Long> h : jobs) {
        h.result().toCompletableFuture().get(120, TimeUnit.SECONDS);
      }
      Map<String, PrometheusText.Family> end = scrape(c, 0);

      assertEquals(16, sum(end, "drift_migrations_total", "drift_migrations_total",
          Map.of("node", home, "kind", "move")) - sum(before, "drift_migrations_total",
          "drift_migrations_total", Map.of("node", home, "kind", "move")));
      assertTrue(sum(end, "drift_migration_bytes", "drift_migration_bytes_sum", here) > 0);
      assertEquals(16, sum(end, "drift_migration_bytes", "drift_migration_bytes_count", here));
      assertEquals("histogram", end.get("drift_migration_pause_seconds").type());
      assertEquals(16, sum(end, "drift_migration_pause_seconds",
          "drift_migration_pause_seconds_count", here));
      assertTrue(sum(end, "drift_decisions_total", "drift_decisions_total",
          Map.of("node", home, "reason", "place")) >= jobs.size(), "placements, by reason");
      assertTrue(sum(end, "drift_checkpoint_bytes", "drift_checkpoint_bytes_count", here)
          > sum(before, "drift_checkpoint_bytes", "drift_checkpoint_bytes_count", here),
          "checkpoints kept");
      assertTrue(sum(end, "drift_home_io_bytes_total", "drift_home_io_bytes_total",
          Map.of("node", home, "direction", "write")) > 12_000 * 10, "the ledger's writes");
      assertTrue(sum(end, "drift_home_io_bytes_total", "drift_home_io_bytes_total",
          Map.of("node", home, "direction", "read")) > 0, "the ledger's reads");
      assertEquals(jobs.size(), sum(end, "drift_jobs", "drift_jobs", Map.of("node", home,
          "state", "SUCCEEDED")));
      assertEquals(0, sum(end, "drift_jobs", "drift_jobs", Map.of("node", home,
          "state", "RUNNING")));
      for (DriftNode n : c.nodes()) {
        assertEquals(1, end.get("drift_cluster_load").samples().stream()
            .filter(s -> s.labels().get("peer").equals(n.selfNode())).count(), n.selfNode());
        assertTrue(end.get("drift_gossip_age_intervals").samples().stream()
            .anyMatch(s -> s.labels().get("peer").equals(n.selfNode())), n.selfNode());
      }
      // each node shows its own meters only, though the three share this JVM
      assertTrue(end.values().stream().flatMap(f -> f.samples().stream())
          .allMatch(s -> !s.labels().containsKey("node") || s.labels().get("node").equals(home)));
      assertTrue(sum(scrape(c, 1), "drift_decisions_total", "drift_decisions_total",
          Map.of("node", c.node(1).selfNode())) >= 0);
      probe.expectNoMessage(Duration.ZERO);
    }
  }

  @Test
  void theParserRefusesWhatPrometheusWould() {
    String ok = "# HELP a_total things\n# TYPE a_total counter\na_total{x=\"1\"} 3\n";
    assertEquals(3, PrometheusText.parse(ok).get("a_total").samples().get(0).value());
    for (String bad : List.of(
        "# TYPE a counter\na{x=\"1\"} 3",                       // no final line feed
        "# TYPE a counter\na{x=\"1\" 3\n",                       // labels not closed
        "# TYPE a counter\na{x=1} 3\n",                          // value not quoted
        "# TYPE a counter\na{x=\"\\q\"} 3\n",                    // bad escape
        "# TYPE a counter\na three\n",                           // not a number
        "# TYPE a counter\na 1\na 2\n",                          // a series twice
        "b 1\n",                                                 // no family
        "# TYPE a counter\na 1\n# TYPE a gauge\n",               // TYPE after samples
        "# TYPE a widget\na 1\n",                                // unknown type
        "# TYPE 1a counter\n",                                   // bad name
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",
        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n")) {
      assertThrows(PrometheusText.ParseException.class, () -> PrometheusText.parse(bad), bad);
    }
  }
}
