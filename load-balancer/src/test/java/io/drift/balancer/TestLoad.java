package io.drift.balancer;

import io.drift.api.spi.LocalLoad;

/** An executor's run queue for tests: slots, run queue and drain as the test sets them. */
final class TestLoad implements LocalLoad {
  volatile int slots = 2;
  volatile int runnable;
  volatile boolean draining;

  @Override
  public int slots() {
    return slots;
  }

  @Override
  public int runnableUnits() {
    return runnable;
  }

  @Override
  public long admitted() {
    return 0;
  }

  @Override
  public int guests() {
    return 0;
  }

  @Override
  public boolean acceptsGuests() {
    return !draining;
  }

  @Override
  public boolean draining() {
    return draining;
  }
}
