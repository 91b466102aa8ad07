package io.drift.migration.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drift.api.JobId;
import io.drift.api.Step;
import io.drift.api.WorkContext;
import io.drift.api.WorkUnit;
import java.util.ArrayList;
import java.util.List;

/** Steps a unit on the calling thread with a recording context, as an executor would. */
final class Driver implements WorkContext {

  final List<String> out = new ArrayList<>();
  final List<Double> progress = new ArrayList<>();
  int steps;

  /** One step; the result if it was the last, else null. */
  <R> Step<R> step(WorkUnit<R> unit) throws Exception {
    Step<R> s = unit.step(this);
    steps++;
    assertTrue(s instanceof Step.More<R> || s instanceof Step.Done<R>, "a step returned " + s);
    return s;
  }

  @Override
  public void out(String line) {
    out.add(line);
  }

  @Override
  public void err(String line) {
    out.add("ERR " + line);
  }

  @Override
  public void progress(double fraction) {
    progress.add(fraction);
  }

  @Override
  public JobId jobId() {
    return JobId.of("codec-test");
  }

  @Override
  public String hostName() {
    return "test-host:1";
  }
}
