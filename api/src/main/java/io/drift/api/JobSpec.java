package io.drift.api;

import java.util.Objects;

/**
 * One job to submit: the unit with its starting state, a name for people, the memory it declares
 * (0 when unknown; the balancer will use it), whether it may be moved while it runs, and the
 * directory of its home files ({@link WorkContext#files()}) under the home node's workspace
 * root: null for one of its own, named after the job; a name to share one with other jobs, or
 * to find files put there before it started; and the jar its classes come from, when they are
 * not on the nodes' class path: null for none, else a jar the client sends to the home node,
 * which serves it to the nodes that run the job (each job gets a class loader of its own).
 */
public record JobSpec<R>(WorkUnit<R> unit, String name, long memoryMb, boolean migratable,
    String workspace, java.nio.file.Path jar) {

  public JobSpec(WorkUnit<R> unit, String name, long memoryMb, boolean migratable) {
    this(unit, name, memoryMb, migratable, null, null);
  }

  public JobSpec {
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a job name must not be blank");
    }
    if (memoryMb < 0) {
      throw new IllegalArgumentException("declared memory must be >= 0 MB, not " + memoryMb);
    }
    if (workspace != null) {
      try {
        workspace = HomePaths.check(workspace, false);
      } catch (java.nio.file.AccessDeniedException e) {
        throw new IllegalArgumentException("workspace " + e.getMessage(), e);
      }
    }
  }

  /** A migratable job named after the unit's class, with no declared memory. */
  public static <R> JobSpec<R> of(WorkUnit<R> unit) {
    return new JobSpec<>(unit, unit.getClass().getSimpleName(), 0, true);
  }

  public JobSpec<R> withName(String newName) {
    return new JobSpec<>(unit, newName, memoryMb, migratable, workspace, jar);
  }

  public JobSpec<R> withMemoryMb(long mb) {
    return new JobSpec<>(unit, name, mb, migratable, workspace, jar);
  }

  public JobSpec<R> withMigratable(boolean value) {
    return new JobSpec<>(unit, name, memoryMb, value, workspace, jar);
  }

  /**
   * Its classes from this jar: the unit given must be an instance of the jar's class, made
   * with a class loader over it (the command line's {@code run --jar} does this).
   */
  public JobSpec<R> withJar(java.nio.file.Path file) {
    return new JobSpec<>(unit, name, memoryMb, migratable, workspace, file);
  }

  /** Its home files in this directory of the workspace root (a relative path). */
  public JobSpec<R> withWorkspace(String dir) {
    return new JobSpec<>(unit, name, memoryMb, migratable, dir, jar);
  }
}
