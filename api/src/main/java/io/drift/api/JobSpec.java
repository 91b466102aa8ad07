package io.drift.api;

import java.util.Objects;

/**
 * One job to submit: the unit with its starting state, a name for people, the memory it declares
 * (0 when unknown; the balancer will use it) and whether it may be moved while it runs.
 */
public record JobSpec<R>(WorkUnit<R> unit, String name, long memoryMb, boolean migratable) {

  public JobSpec {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a job name must not be blank");
    }
    if (memoryMb < 0) {
      throw new IllegalArgumentException("declared memory must be >= 0 MB, not " + memoryMb);
    }
  }

  /** A migratable job named after the unit's class, with no declared memory. */
  public static <R> JobSpec<R> of(WorkUnit<R> unit) {
    return new JobSpec<>(unit, unit.getClass().getSimpleName(), 0, true);
  }

  public JobSpec<R> withName(String newName) {
    return new JobSpec<>(unit, newName, memoryMb, migratable);
  }

  public JobSpec<R> withMemoryMb(long mb) {
    return new JobSpec<>(unit, name, mb, migratable);
  }

  public JobSpec<R> withMigratable(boolean value) {
    return new JobSpec<>(unit, name, memoryMb, value);
  }
}
