package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.node.client.DriftClient;
import io.drift.node.http.MetricsTest;
import io.drift.node.http.PrometheusText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many jobs, many random moves while they run, on three nodes in one JVM; one node refuses
 * guests. Every job must finish once with the right result and output, and the shared ledger
 * must show each step taken once and never two hosts running a job at the same time.
 *
 * <p>Sized by {@code -Ddrift.soak.jobs} and {@code -Ddrift.soak.moves}; {@code mvn verify}
 * runs a small round, {@code mvn -B verify -Psoak} the full 200 jobs and 1,000 moves.
 */
class MigrationSoakTest {

  static final int JOBS = Integer.getInteger("drift.soak.jobs", 30);
  static final int MOVES = Integer.getInteger("drift.soak.moves", 120);
  static final long STEPS = Long.getLong("drift.soak.steps", 400);
  static final long SPIN_MICROS = 500;
  static final long SEED = Long.getLong("drift.soak.seed", 42L);
  static final int DRIVERS = 4;

  @Test
  void everyJobFinishesOnceWithItsResultAndNoUnitEverRanInTwoPlaces() throws Exception {
    LedgerWalk.LEDGER.clear();
    try (LocalCluster cluster = TestClusters.startReady(List.of(2, 2, 2), Map.of(),
            Map.of(2, Map.of("drift.executor.accept-guests", false)));
        DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      List<String> nodes = cluster.nodes().stream().map(DriftNode::selfNode).toList();
      String refuser = nodes.get(2);
      List<JobHandle<Long>> jobs = new ArrayList<>();
      List<List<OutputLine>> outputs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        // every third job carries 256 KiB, so its moves take the side channel
        JobHandle<Long> h = client.submit(JobSpec.of(new LedgerWalk(SEED + i, STEPS, SPIN_MICROS,
                i % 3 == 0 ? 256 << 10 : 0)).withName("soak-" + i));
        List<OutputLine> out = new CopyOnWriteArrayList<>();
        h.onOutput(out::add);
        jobs.add(h);
        outputs.add(out);
      }

      // /metrics of the jobs' home, scraped twice a second while the moves go on: every
      // scrape must parse, and the migration counters must move
      String home = nodes.get(0);
      List<Map<String, PrometheusText.Family>> scrapes = new CopyOnWriteArrayList<>();
      scrapes.add(MetricsTest.scrape(cluster, 0)); // before the first move
      ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();
      scraper.scheduleWithFixedDelay(() -> {
        try {
          scrapes.add(MetricsTest.scrape(cluster, 0));
        } catch (Throwable e) {
          scrapes.add(Map.of("failed: " + e, new PrometheusText.Family("", "", "", List.of())));
        }
      }, 500, 500, TimeUnit.MILLISECONDS);

      AtomicInteger asked = new AtomicInteger();
      Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
      ExecutorService drivers = Executors.newFixedThreadPool(DRIVERS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      List<Future<?>> running = new ArrayList<>();
      for (int d = 0; d < DRIVERS; d++) {
        Random rnd = new Random(SEED * 31 + d);
        running.add(drivers.submit(() -> {
          while (asked.get() < MOVES && System.nanoTime() < deadline
              && jobs.stream().anyMatch(j -> !j.result().toCompletableFuture().isDone())) {
            JobHandle<Long> h = jobs.get(rnd.nextInt(jobs.size()));
            if (rnd.nextInt(10) == 0) { // now and then, a job about to finish
              h = jobs.stream().filter(j -> j.progress() >= 0.85
                  && !j.result().toCompletableFuture().isDone()).findAny().orElse(h);
            }
            if (h.result().toCompletableFuture().isDone()) {
              continue;
            }
            asked.incrementAndGet();
            if (rnd.nextInt(10) == 0) { // now and then, freeze it to home's disk and continue it
              try {
                h.migrate("freeze").toCompletableFuture().join();
                outcomes.computeIfAbsent("frozen", k -> new AtomicInteger()).incrementAndGet();
              } catch (CompletionException e) {
                outcomes.computeIfAbsent(kind(e.getCause().getMessage(), refuser),
                    k -> new AtomicInteger()).incrementAndGet();
                continue;
              }
              try { // a frozen job that does not continue never ends: every refusal counts
                h.migrate("continue").toCompletableFuture().join();
                outcomes.computeIfAbsent("continued", k -> new AtomicInteger()).incrementAndGet();
              } catch (CompletionException e) {
                outcomes.computeIfAbsent("continue failed: " + e.getCause().getMessage(),
                    k -> new AtomicInteger()).incrementAndGet();
              }
              continue;
            }
            // one move in five to the node that refuses guests, the others away from where the
            // job runs now (as it was a moment ago: other drivers may move it meanwhile)
            String target = refuser;
            if (rnd.nextInt(5) != 0) {
              String host = h.status().toCompletableFuture().join().host();
              target = nodes.get(0).equals(host) ? nodes.get(1) : nodes.get(0);
            }
            try {
              h.migrate(target).toCompletableFuture().join();
              outcomes.computeIfAbsent("moved", k -> new AtomicInteger()).incrementAndGet();
            } catch (CompletionException e) {
              outcomes.computeIfAbsent(kind(e.getCause().getMessage(), refuser),
                  k -> new AtomicInteger()).incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : running) {
        f.get(300, TimeUnit.SECONDS);
      }
      drivers.shutdown();
      scraper.shutdown();
      assertTrue(scraper.awaitTermination(30, TimeUnit.SECONDS));
      scrapes.add(MetricsTest.scrape(cluster, 0)); // after the last
      System.out.println("soak: moves done: " + outcomes);
      checkMetrics(scrapes, home, outcomes);
      assertTrue(outcomes.keySet().stream().noneMatch(k -> k.startsWith("continue failed")),
          "every frozen job continued: " + outcomes);

      for (int i = 0; i < JOBS; i++) {
        JobHandle<Long> h = jobs.get(i);
        long want = LedgerWalk.expectedSum(SEED + i, STEPS);
        try {
          assertEquals(want, h.result().toCompletableFuture().get(120, TimeUnit.SECONDS),
              "job " + i + " (seed " + (SEED + i) + ")");
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError("job " + i + " did not finish: "
              + h.status().toCompletableFuture().get(10, TimeUnit.SECONDS), e);
        }
        JobInfo info = h.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(JobState.SUCCEEDED, info.state());
        assertEquals(STEPS, info.steps());
        checkOutput(i, outputs.get(i));
        checkLedger(h.id().value(), i);
      }
      String report = "asked " + asked.get() + " moves: " + outcomes + " (seed " + SEED + ")";
      System.out.println("soak: " + JOBS + " jobs, " + report);
      assertTrue(asked.get() >= MOVES, "every move was asked while jobs ran: " + report);
      assertTrue(outcomes.getOrDefault("moved", new AtomicInteger()).get() >= MOVES / 4, report);
      assertTrue(outcomes.containsKey("refused by " + refuser), report);
      assertTrue(outcomes.keySet().stream().noneMatch(k -> k.startsWith("other")), report);
    }
  }

  /** The scrapes parsed, and their migration counters moved as the moves did. */
  static void checkMetrics(List<Map<String, PrometheusText.Family>> scrapes, String home,
      Map<String, AtomicInteger> outcomes) {
    assertTrue(scrapes.size() >= 3, scrapes.size() + " scrapes");
    scrapes.forEach(s -> assertTrue(s.keySet().stream().noneMatch(k -> k.startsWith("failed")),
        "a scrape failed: " + s.keySet()));
    Map<String, String> moves = Map.of("node", home, "kind", "move");
    double[] moved = scrapes.stream().mapToDouble(s -> MetricsTest.sum(s,
        "drift_migrations_total", "drift_migrations_total", moves)).toArray();
    for (int i = 1; i < moved.length; i++) {
      assertTrue(moved[i] >= moved[i - 1], "a counter never goes back: " + List.of(moved));
    }
    Map<String, PrometheusText.Family> first = scrapes.get(0);
    Map<String, PrometheusText.Family> last = scrapes.get(scrapes.size() - 1);
    double delta = moved[moved.length - 1] - moved[0];
    int answered = outcomes.getOrDefault("moved", new AtomicInteger()).get();
    int notMoved = outcomes.values().stream().mapToInt(AtomicInteger::get).sum() - answered;
    // home counts a move when it relocates the job, before it answers: every move answered
    // "moved" is counted; one whose answer was lost on the way may be counted too
    assertTrue(delta >= answered && delta <= answered + notMoved,
        "moves counted " + delta + ", answered moved " + answered + ", not " + notMoved);
    Map<String, String> here = Map.of("node", home);
    double pauses = MetricsTest.sum(last, "drift_migration_pause_seconds",
        "drift_migration_pause_seconds_count", here) - MetricsTest.sum(first,
        "drift_migration_pause_seconds", "drift_migration_pause_seconds_count", here);
    double all = MetricsTest.sum(last, "drift_migrations_total", "drift_migrations_total", here)
        - MetricsTest.sum(first, "drift_migrations_total", "drift_migrations_total", here);
    assertEquals(all, pauses, "a pause recorded for every migration, moves and freezes");
    assertTrue(MetricsTest.sum(last, "drift_migration_bytes", "drift_migration_bytes_sum", here)
        > MetricsTest.sum(first, "drift_migration_bytes", "drift_migration_bytes_sum", here));
  }

  /** Why a move did not happen, in kinds; "other: ..." fails the test. */
  static String kind(String why, String refuser) {
    return why.contains("does not accept guests") ? "refused by " + refuser
        : why.contains("already") ? "there, moving or freezing already"
        : why.contains("SUCCEEDED") || why.contains("ended") ? "ended first"
        : why.contains("starting") || why.contains("PENDING") ? "not running yet"
        : why.contains("is frozen") ? "frozen at the time"
        : "other: " + why;
  }

  static void checkOutput(int i, List<OutputLine> out) {
    long rng = SEED + i;
    long sum = 0;
    List<String> want = new ArrayList<>();
    for (long step = 1; step <= STEPS; step++) {
      rng = rng * 6364136223846793005L + 1442695040888963407L;
      sum += rng >>> 33;
      if (step % 20 == 0) {
        want.add(step + " " + sum);
      }
    }
    assertEquals(want, out.stream().map(OutputLine::text).toList(), "output of job " + i);
    for (int k = 0; k < out.size(); k++) {
      assertEquals(k + 1, out.get(k).seq(), "job " + i + ": no line lost or doubled");
    }
  }

  static void checkLedger(String jobId, int i) {
    List<LedgerWalk.Entry> entries = new ArrayList<>(LedgerWalk.LEDGER.get(jobId));
    Set<Long> stepsSeen = new HashSet<>();
    for (LedgerWalk.Entry e : entries) {
      assertTrue(stepsSeen.add(e.step()), "job " + i + ": step " + e.step() + " ran twice");
    }
    assertEquals(STEPS, stepsSeen.size(), "job " + i + ": every step ran");
    entries.sort(Comparator.comparingLong(LedgerWalk.Entry::startNanos));
    for (int k = 1; k < entries.size(); k++) {
      LedgerWalk.Entry prev = entries.get(k - 1);
      LedgerWalk.Entry next = entries.get(k);
      assertTrue(next.startNanos() >= prev.endNanos(), "job " + i + ": steps " + prev.step()
          + " on " + prev.host() + " and " + next.step() + " on " + next.host() + " overlap");
      assertEquals(prev.step() + 1, next.step(), "job " + i + ": steps in order");
    }
  }
}
