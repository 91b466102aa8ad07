package io.drift.balancer;

import io.drift.api.JobId;
import io.drift.api.spi.LocalLoad;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A home's free slots, taken by its jobs' proxies without asking the balancer (decision 0036).
 * With home-first placement most jobs start at home, and for them the balancer's answer is
 * known in advance; the round trip to it cost two messages between dispatchers and a scan of
 * every node per job. A proxy takes a slot here for a job's first start, and gives it back once
 * the executor answered the start; a job that finds none free, or that needs what only the
 * balancer judges (memory, a node of its choice, a second try), asks the balancer as before.
 *
 * <p>The balancer counts the slots taken and not yet answered in its own node's run queue, so
 * neither of them fills the home past its slots on its own; should both take the last slot at
 * once, the executor refuses the later start (it is busier than its home believed) and that job
 * is placed again by the balancer. Safe to call from any thread.
 */
public final class HomeStarts {

  /** A slot taken: the run queue the proxy believes the executor has, for its admission. */
  public record Taken(int believedRunQueue) {}

  private final LocalLoad local;
  private final String node;
  private final String executorPath;
  private final int kept;
  /** Taken and not yet answered by the executor. */
  private final AtomicInteger outstanding = new AtomicInteger();
  /** Whether this node is Up and has published its load: until then the balancer decides. */
  private volatile boolean open;
  /** Placements not yet in the balancer's log of decisions, oldest first, at most kept. */
  private final ConcurrentLinkedQueue<Decision> unlogged = new ConcurrentLinkedQueue<>();
  private final AtomicInteger unloggedCount = new AtomicInteger();
  private final Counter placements;

  /**
   * @param local this node's executor, read live
   * @param node this node ({@code host:port})
   * @param executorPath its executor's path, as a placement names it
   * @param kept at most this many placements wait for the balancer's log
   */
  public HomeStarts(LocalLoad local, String node, String executorPath, int kept) {
    this.local = local;
    this.node = node;
    this.executorPath = executorPath;
    this.kept = Math.max(1, kept);
    this.placements = Metrics.counter("drift.decisions", "node", node, "reason", "place");
  }

  public String executorPath() {
    return executorPath;
  }

  /**
   * A free slot at home for {@code job}, or null: the node is not open for it (not Up yet,
   * draining), or its slots are taken.
   */
  public Taken tryTake(JobId job) {
    if (!open || local.draining()) {
      return null;
    }
    int believed;
    int slots = local.slots();
    synchronized (this) {
      // the slots taken first, then the run queue: a start answered in between was admitted
      // before the run queue is read, so it counts once or twice, never not at all
      int taken = outstanding.get();
      believed = local.runnableUnits() + taken;
      if (believed >= slots) {
        return null;
      }
      outstanding.incrementAndGet();
    }
    placements.increment();
    log(new Decision(0, System.currentTimeMillis(), "place", job.value(), node,
        "a free slot at home (" + believed + " of " + slots + " taken), taken without asking"
            + " the balancer", null));
    return new Taken(believed);
  }

  /** The executor answered a start of a slot taken here (accepted or refused), or never will. */
  public void answered() {
    outstanding.decrementAndGet();
  }

  /** Slots taken and not yet answered: the balancer adds them to its own node's run queue. */
  public int outstanding() {
    return outstanding.get();
  }

  /** Set by the balancer (and tests): its node is Up and has a sample of its own. */
  public void open(boolean isOpen) {
    open = isOpen;
  }

  private void log(Decision d) {
    unlogged.add(d);
    if (unloggedCount.incrementAndGet() > kept && unlogged.poll() != null) {
      unloggedCount.decrementAndGet(); // the balancer keeps no more than this either
    }
  }

  /** Hands the placements made here since the last call to the balancer's log, oldest first. */
  void drainTo(Consumer<Decision> log) {
    Decision d;
    while ((d = unlogged.poll()) != null) {
      unloggedCount.decrementAndGet();
      log.accept(d);
    }
  }
}
