package io.drift.node.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drift.api.DriftException;
import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.api.units.BurnCpu;
import io.drift.api.units.PrimeCount;
import io.drift.api.units.PrintLines;
import io.drift.node.DriftConfig;
import io.drift.node.LocalCluster;
import io.drift.node.TestClusters;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a Java program sees through DriftClient when things go wrong on its own side. */
class DriftClientTest {

  static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestClusters.startReady(List.of(2));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aListenerThatThrowsDoesNotStopTheJobOrOtherListeners() throws Exception {
    try (DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      JobHandle<Long> h = client.submit(JobSpec.of(new PrintLines(600)));
      AtomicInteger calls = new AtomicInteger();
      List<OutputLine> seen = new CopyOnWriteArrayList<>();
      h.onOutput(line -> {
        calls.incrementAndGet();
        throw new IllegalStateException("a careless listener");
      });
      h.onOutput(seen::add);
      assertEquals(600L, h.result().toCompletableFuture().get(20, TimeUnit.SECONDS));
      assertEquals(600, seen.size());
      assertEquals(600, calls.get(), "the careless listener was still called for every line");
    }
  }

  @Test
  void closingTheClientEndsItsWaitsInsteadOfLeavingThemForever() throws Exception {
    JobHandle<Long> h;
    try (DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      h = client.submit(JobSpec.of(new BurnCpu(60_000)));
    }
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> h.result().toCompletableFuture().get(10, TimeUnit.SECONDS));
    DriftException d = assertInstanceOf(DriftException.class, e.getCause());
    assertTrue(d.getMessage().contains("the client was closed"), d.getMessage());

    // the job itself goes on at home: cancel it from a new client
    try (DriftClient again = DriftClient.connect(cluster.node(0).selfNode())) {
      JobInfo info = again.job(h.id()).toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(JobState.RUNNING, info.state());
    }
  }

  @Test
  void aListingLongerThanOnePageComesWhole() throws Exception {
    try (DriftClient client = DriftClient.connect(DriftConfig.forClient(null,
        Map.of("drift.client.node", cluster.node(0).selfNode())))) {
      int before = client.jobs().toCompletableFuture().get(5, TimeUnit.SECONDS).size();
      for (int i = 0; i < 45; i++) { // more than two pages of 20
        client.submit(JobSpec.of(new PrintLines(0)).withName("page-" + i));
      }
      List<JobInfo> all = client.jobs().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals(before + 45, all.size());
      assertEquals(45, all.stream().filter(j -> j.name().startsWith("page-")).count());
      assertEquals(all.size(), all.stream().map(JobInfo::id).distinct().count(), "no job twice");
    }
  }

  @Test
  void manySubmissionsInFlightFromOneClientAllEnd() throws Exception {
    // submitAsync keeps them all in flight; each job's follower shares one watch of the home.
    // A cluster of its own: 2,000 ended jobs would push the others' out of the home's records
    LocalCluster own = TestClusters.startReady(List.of(2));
    try (own; DriftClient client = DriftClient.connect(own.node(0).selfNode())) {
      List<java.util.concurrent.CompletableFuture<Long>> results = new java.util.ArrayList<>();
      // 200 in flight at a time: a cold home records a few hundred jobs a second, and a
      // submission it has not recorded within its ask's 5 s is refused (the window is the
      // client's to keep; the benchmark's is 1,000 on a warm node)
      java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(200);
      for (int i = 0; i < 2_000; i++) {
        long to = 2 + i % 50;
        window.acquire();
        results.add(client.submitAsync(JobSpec.of(new PrimeCount(1, to))).toCompletableFuture()
            .thenCompose(h -> h.result().toCompletableFuture())
            .whenComplete((r, e) -> window.release()));
      }
      for (int i = 0; i < results.size(); i++) {
        long to = 2 + i % 50;
        long primes = java.util.stream.LongStream.range(1, to)
            .filter(n -> n > 1 && java.util.stream.LongStream.rangeClosed(2, (long) Math.sqrt(n))
                .noneMatch(d -> n % d == 0)).count();
        assertEquals(primes, results.get(i).get(60, TimeUnit.SECONDS), "job " + i);
      }
    }
  }

  /**
   * Pekko's javadsl ask answers with Scala's converted future, which runs even a plain thenApply
   * on the common pool, and with one or two cores that pool starts a thread per task: a thread
   * per submission in the client and another in the node cost most of a placement's CPU.
   */
  @Test
  void submissionsStartNoThreadEach() throws Exception {
    assumeTrue(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2,
        "the common pool starts a thread per task only with one or two cores");
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    try (DriftClient client = DriftClient.connect(cluster.node(0).selfNode())) {
      runAll(client, 50); // the dispatchers' own threads start while they warm up
      long before = threads.getTotalStartedThreadCount();
      runAll(client, 300);
      long started = threads.getTotalStartedThreadCount() - before;
      // node and client share this JVM: a thread per submission would be 600 or more
      assertTrue(started < 60, started + " threads started for 300 submissions");
    }
  }

  private static void runAll(DriftClient client, int n) throws Exception {
    List<java.util.concurrent.CompletableFuture<Long>> results = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      results.add(client.submitAsync(JobSpec.of(new PrimeCount(1, 30))).toCompletableFuture()
          .thenCompose(h -> h.result().toCompletableFuture()));
    }
    for (java.util.concurrent.CompletableFuture<Long> r : results) {
      assertEquals(10L, r.get(60, TimeUnit.SECONDS)); // 2 3 5 7 11 13 17 19 23 29
    }
  }

  @Test
  void whenTheHomeNodeGoesEveryHandleThereSaysSo() throws Exception {
    LocalCluster lone = TestClusters.startReady(List.of(1));
    try (DriftClient client = DriftClient.connect(lone.node(0).selfNode())) {
      JobHandle<Long> a = client.submit(JobSpec.of(new BurnCpu(60_000)));
      JobHandle<Long> b = client.submit(JobSpec.of(new BurnCpu(60_000)));
      lone.close();
      for (JobHandle<Long> h : List.of(a, b)) {
        ExecutionException e = assertThrows(ExecutionException.class,
            // a home that stops may not say so: then the watch's 20 s of silence tell
            () -> h.result().toCompletableFuture().get(60, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("is gone"), e.getCause().getMessage());
      }
    } finally {
      lone.close();
    }
  }
}
