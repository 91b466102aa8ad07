package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.api.SubmissionRejectedException;
import io.drift.api.units.BurnCpu;
import io.drift.api.units.PrintLines;
import io.drift.node.client.DriftClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * The limits that keep a node up under abuse, each a config key: a request body past
 * drift.management.max-request-body is a 413; output past drift.executor.max-lines-per-second
 * is slowed, not lost; a submission past drift.home.max-jobs unfinished jobs is refused, saying
 * which key, and taken again once a job has ended.
 */
class LimitsTest {

  @Test
  void eachLimitHoldsAndSaysWhich() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestClusters.WRITABLE);
    settings.put("drift.management.max-request-body", "1KiB");
    settings.put("drift.executor.max-lines-per-second", 500);
    settings.put("drift.home.max-jobs", 2);
    try (LocalCluster c = TestClusters.startReady(List.of(2), settings);
        DriftClient client = DriftClient.connect(c.node(0).selfNode())) {
      TestProbe<Object> probe = ActorTestKit.create(c.node(0).system()).createTestProbe();

      // the request body
      HttpClient http = HttpClient.newHttpClient();
      String big = "{\"within\": \"" + "9".repeat(2048) + "s\"}";
      for (String body : List.of(big, "{\"within\": \"30s\"}")) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + c.node(0).httpPort() + "/drift/ctl/noblock"))
            .header("Authorization", "Bearer " + TestClusters.TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(body == big ? 413 : 200, r.statusCode(), r.body());
      }

      // the output rate: one second's 500 lines at once, then 1,000 more at 500 a second
      long t0 = System.nanoTime();
      JobHandle<Long> lines = client.submit(JobSpec.of(new PrintLines(1_500)));
      List<OutputLine> out = new CopyOnWriteArrayList<>();
      lines.onOutput(out::add);
      assertEquals(1_500L, lines.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(seconds >= 1.8, "1,500 lines at 500 a second took " + seconds + " s");
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(1_500, out.size(), "every line, none dropped");
        return null;
      });
      for (int k = 0; k < out.size(); k++) {
        assertEquals("line " + (k + 1) + " of 1500", out.get(k).text());
      }

      // jobs per home: two that have not ended, then a third is refused until one ends
      JobHandle<Long> a = client.submit(JobSpec.of(new BurnCpu(300_000)));
      JobHandle<Long> b = client.submit(JobSpec.of(new BurnCpu(300_000)));
      SubmissionRejectedException full = assertThrows(SubmissionRejectedException.class,
          () -> client.submit(JobSpec.of(new BurnCpu(1_000))));
      assertTrue(full.getMessage().contains("drift.home.max-jobs = 2"), full.getMessage());
      a.cancel();
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(JobState.CANCELLED, a.status().toCompletableFuture()
            .get(5, TimeUnit.SECONDS).state());
        return null;
      });
      JobHandle<Long> third = client.submit(JobSpec.of(new BurnCpu(1_000)));
      assertEquals(JobState.SUCCEEDED, third.result().toCompletableFuture()
          .handle((r, e) -> e == null ? JobState.SUCCEEDED : JobState.FAILED)
          .get(30, TimeUnit.SECONDS));
      b.cancel();
    }
  }
}
