package io.drift.node.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.DriftException;
import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.api.units.BurnCpu;
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
}
