package io.drift.bench.peers;

import io.drift.bench.NodeProcs.Spec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The floor: one {@link ForkJoinPool} in the runner's JVM with as many threads as the nodes have
 * slots, each thread at the speed of the node whose slot it stands for. No cluster: no
 * placement across processes, no join, no drain; a job stays on the thread that took it.
 */
final class PoolPeer implements Peer {

  private ForkJoinPool pool;

  /** A worker that stands for one slot of one emulated node. */
  static final class SlotThread extends ForkJoinWorkerThread {
    final double speed;

    SlotThread(ForkJoinPool pool, double speed) {
      super(pool);
      this.speed = speed;
    }
  }

  @Override
  public String name() {
    return "ForkJoinPool";
  }

  @Override
  public boolean clustered() {
    return false;
  }

  @Override
  public void start(List<Spec> specs, int clients) {
    double[] speeds = specs.stream().flatMapToDouble(s -> java.util.stream.DoubleStream
        .generate(() -> s.speed()).limit(s.slots())).toArray();
    AtomicInteger next = new AtomicInteger();
    // FIFO for submitted tasks (asyncMode), as a queue of independent jobs wants; a worker
    // that the pool retires and replaces takes the next speed in turn
    pool = new ForkJoinPool(speeds.length,
        p -> new SlotThread(p, speeds[Math.floorMod(next.getAndIncrement(), speeds.length)]),
        null, true);
  }

  @Override
  public CompletableFuture<Long> submit(int client, Kind kind, long workMillis) {
    if (kind == Kind.HOLD) {
      throw new UnsupportedOperationException("the pool has no node to hold memory on");
    }
    return CompletableFuture.supplyAsync(() -> {
      if (kind == Kind.STAMP) {
        return System.nanoTime();
      }
      double speed = Thread.currentThread() instanceof SlotThread t ? t.speed : 1.0;
      long done = 0;
      while (done < workMillis) { // the same 20 ms steps as EmulatedWork and the Ignite job
        long chunk = Math.min(IgniteJobs.STEP_MILLIS, workMillis - done);
        LockSupport.parkNanos((long) (chunk * 1e6 / speed));
        done += chunk;
      }
      return done;
    }, pool);
  }

  @Override
  public void cancelAll() {}

  @Override
  public int add(Spec spec) {
    throw new UnsupportedOperationException("one JVM: no node joins");
  }

  @Override
  public int busy(int i) {
    throw new UnsupportedOperationException("one JVM: no nodes");
  }

  @Override
  public Drained drain(int i) {
    throw new UnsupportedOperationException("one JVM: no node to drain");
  }

  @Override
  public long runningMoves() {
    return 0;
  }

  @Override
  public List<ProcessHandle> processes() {
    return List.of();
  }

  @Override
  public void close() throws InterruptedException {
    if (pool != null) {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
