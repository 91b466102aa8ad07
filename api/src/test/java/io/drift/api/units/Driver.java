package io.drift.api.units;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.drift.api.JobId;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.ArrayList;
import java.util.List;

/** Runs a unit's steps on the calling thread with a recording context, as an executor would. */
final class Driver implements WorkContext {

  final List<String> out = new ArrayList<>();
  final List<String> err = new ArrayList<>();
  final List<Double> progress = new ArrayList<>();
  int steps;

  /** Steps the unit until it is done, at most {@code maxSteps} times; returns its result. */
  <R> R run(WorkUnit<R> unit, int maxSteps) throws Exception {
    for (int i = 0; i < maxSteps; i++) {
      Step<R> s = unit.step(this);
      steps++;
      if (s instanceof Step.Done<R> d) {
        return d.result();
      }
      assertTrue(s instanceof Step.More<R>, "a step returned " + s);
    }
    return fail(unit.getClass().getSimpleName() + " not done after " + maxSteps + " steps");
  }

  static <R> R runToEnd(WorkUnit<R> unit) throws Exception {
    return new Driver().run(unit, 1_000_000);
  }

  double lastProgress() {
    return progress.isEmpty() ? Double.NaN : progress.get(progress.size() - 1);
  }

  /** Progress never went backwards and stayed within 0..1. */
  void assertProgressMonotone() {
    double prev = 0;
    for (double p : progress) {
      assertTrue(p >= prev && p <= 1.0, "progress went " + prev + " -> " + p + " in " + progress);
      prev = p;
    }
  }

  @Override
  public void out(String line) {
    out.add(line);
  }

  @Override
  public void err(String line) {
    err.add(line);
  }

  @Override
  public void progress(double fraction) {
    progress.add(fraction);
  }

  @Override
  public JobId jobId() {
    return JobId.of("test-job");
  }

  @Override
  public String hostName() {
    return "test-host:1";
  }
}
