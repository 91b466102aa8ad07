package io.drift.api;

import java.util.Objects;

/**
 * One job to submit: the unit with its starting state, a name for people, the memory it declares
 * (0 when unknown; the balancer will use it), whether it may be moved while it runs, and the
 * directory of its home files ({@link WorkContext#files()}) under the home node's workspace
 * root: null for one of its own, named after the job; a name to share one with other jobs, or
 * to find files put there before it started; and the jar its classes come from, when they are
 * not on the nodes' class path: null for none, else a jar the client sends to the home node,
 * which serves it to the nodes that run the job (each job gets a class loader of its own);
 * and where it starts ({@code startOn}): null on the best node (MOSIX: mosrun -b), {@link
 * #HOME} on its home node (-h), or a node {@code host:port} (-r). It may move from there later
 * unless it is not {@code migratable}; after a crash it starts again on the best node.
 */
public record JobSpec<R>(WorkUnit<R> unit, String name, long memoryMb, boolean migratable,
    String workspace, java.nio.file.Path jar, String startOn, Integer queue) {

  /** {@link #startOn}: the home node. */
  public static final String HOME = "home";

  private static final java.util.regex.Pattern NODE =
      java.util.regex.Pattern.compile("[^:/\\s]+:\\d{1,5}");

  public JobSpec(WorkUnit<R> unit, String name, long memoryMb, boolean migratable) {
    this(unit, name, memoryMb, migratable, null, null, null, null);
  }

  public JobSpec(WorkUnit<R> unit, String name, long memoryMb, boolean migratable,
      String workspace, java.nio.file.Path jar, String startOn) {
    this(unit, name, memoryMb, migratable, workspace, jar, startOn, null);
  }

  public JobSpec(WorkUnit<R> unit, String name, long memoryMb, boolean migratable,
      String workspace, java.nio.file.Path jar) {
    this(unit, name, memoryMb, migratable, workspace, jar, null, null);
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
    if (queue != null && queue < 0) {
      throw new IllegalArgumentException("a queue priority is >= 0 (lower first), not " + queue);
    }
    if (startOn != null && !startOn.equals(HOME) && !NODE.matcher(startOn).matches()) {
      throw new IllegalArgumentException("a job starts on 'home' or on a node host:port, not '"
          + startOn + "'");
    }
  }

  /** A migratable job named after the unit's class, with no declared memory. */
  public static <R> JobSpec<R> of(WorkUnit<R> unit) {
    return new JobSpec<>(unit, unit.getClass().getSimpleName(), 0, true);
  }

  public JobSpec<R> withName(String newName) {
    return new JobSpec<>(unit, newName, memoryMb, migratable, workspace, jar, startOn, queue);
  }

  public JobSpec<R> withMemoryMb(long mb) {
    return new JobSpec<>(unit, name, mb, migratable, workspace, jar, startOn, queue);
  }

  public JobSpec<R> withMigratable(boolean value) {
    return new JobSpec<>(unit, name, memoryMb, value, workspace, jar, startOn, queue);
  }

  /**
   * Its classes from this jar: the unit given must be an instance of the jar's class, made
   * with a class loader over it (the command line's {@code run --jar} does this).
   */
  public JobSpec<R> withJar(java.nio.file.Path file) {
    return new JobSpec<>(unit, name, memoryMb, migratable, workspace, file, startOn, queue);
  }

  /** Its home files in this directory of the workspace root (a relative path). */
  public JobSpec<R> withWorkspace(String dir) {
    return new JobSpec<>(unit, name, memoryMb, migratable, dir, jar, startOn, queue);
  }

  /** Where it starts: null the best node, {@link #HOME}, or a node {@code host:port}. */
  public JobSpec<R> withStartOn(String where) {
    return new JobSpec<>(unit, name, memoryMb, migratable, workspace, jar, where, queue);
  }

  /**
   * Through its home's batch queue (MOSIX: mosq): the job waits at home, holding no slot,
   * until the grid has room by the gossip; lower {@code priority} first, then the earlier.
   */
  public JobSpec<R> withQueue(int priority) {
    return new JobSpec<>(unit, name, memoryMb, migratable, workspace, jar, startOn, priority);
  }
}
