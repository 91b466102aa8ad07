package io.drift.bench.peers;

import io.drift.bench.NodeProcs.Spec;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One system under comparison, driven the same way by every workload: nodes started as
 * processes on loopback (none for the pool), clients in the runner's JVM, the same work.
 */
interface Peer extends AutoCloseable {

  /** The benchmark's three kinds of work. */
  enum Kind { STAMP, EMULATED, HOLD }

  String name();

  /** Starts one node per spec (node 0 first) and {@code clients} clients; returns when ready. */
  void start(List<Spec> specs, int clients) throws Exception;

  /**
   * Submits one job through client {@code client}: its result is the start's nanoTime for
   * {@link Kind#STAMP}, the work done for {@link Kind#EMULATED}; a {@link Kind#HOLD} job runs
   * until {@link #cancelAll}.
   */
  CompletableFuture<Long> submit(int client, Kind kind, long workMillis);

  /** Cancels every job not ended (the memory workload's end). */
  void cancelAll() throws Exception;

  /** Starts one more node; returns its index once the system counts it in (Up). */
  int add(Spec spec) throws Exception;

  /** Jobs running or waiting at node {@code i}, as that node says. */
  int busy(int i) throws Exception;

  /** Takes node {@code i} out gracefully while it runs work; returns when it is out. */
  Drained drain(int i) throws Exception;

  /** What a drain cost: seconds until the node was out, and the work thrown away. */
  record Drained(double seconds, long lostMillis, long restartedJobs, String how) {}

  /** Moves of running work since the last call (Drift's migrations; 0 where none exist). */
  long runningMoves() throws Exception;

  /** The node processes (CPU time, memory), node 0 first; empty for the pool. */
  List<ProcessHandle> processes();

  /** Whether it has nodes at all (the pool has none: no join, no drain). */
  default boolean clustered() {
    return true;
  }
}
