package io.drift.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.drift.api.JobHandle;
import io.drift.api.JobInfo;
import io.drift.api.JobSpec;
import io.drift.api.JobState;
import io.drift.api.OutputLine;
import io.drift.node.client.DriftClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * Seeded walks submitted together for the tests of nodes that go, each with the output it
 * brought to the client, and the run that never moved to hold them to.
 */
final class Walks {
  final List<JobHandle<Long>> jobs = new ArrayList<>();
  final List<List<OutputLine>> outputs = new ArrayList<>();
  final MigrationTest.Unmoved expected;

  Walks(DriftClient client, int n, long steps) throws Exception {
    this(client, n, steps, MigrationTest.CPU_MICROS);
  }

  Walks(DriftClient client, int n, long steps, long cpuMicrosPerStep) throws Exception {
    expected = MigrationTest.unmoved(steps);
    for (int i = 0; i < n; i++) {
      JobHandle<Long> h = client.submit(JobSpec.of(
          new SeededWalk(MigrationTest.SEED, steps, cpuMicrosPerStep)));
      List<OutputLine> out = new CopyOnWriteArrayList<>();
      h.onOutput(out::add);
      jobs.add(h);
      outputs.add(out);
    }
  }

  /** How many units run on each of {@code nodes}; fails unless every job runs. */
  int[] unitsOn(List<String> nodes) throws Exception {
    int[] units = new int[nodes.size()];
    for (JobHandle<Long> h : jobs) {
      JobInfo info = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(JobState.RUNNING, info.state(), info.toString());
      int n = nodes.indexOf(info.host());
      if (n >= 0) {
        units[n]++;
      }
    }
    return units;
  }

  /**
   * Every job ended with the result of a run that never moved, not on {@code gone}, and
   * brought each line once, in order.
   */
  void assertCompleteEachLineOnce(TestProbe<?> probe, String gone) throws Exception {
    for (int i = 0; i < jobs.size(); i++) {
      JobHandle<Long> h = jobs.get(i);
      assertEquals(expected.result(), h.result().toCompletableFuture().get(180, TimeUnit.SECONDS),
          "job " + i);
      JobInfo done = h.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertFalse(done.host().equals(gone), "finished elsewhere: " + done);
      List<OutputLine> out = outputs.get(i);
      int job = i;
      probe.awaitAssert(Duration.ofSeconds(10), () -> {
        assertEquals(expected.output().size(), out.size(), "lines of job " + job);
        return null;
      });
      assertEquals(expected.output(), out.stream().map(OutputLine::text).toList(),
          "job " + i + ": each line once, in order");
      for (int k = 0; k < out.size(); k++) {
        assertEquals(k + 1, out.get(k).seq());
      }
    }
  }
}
