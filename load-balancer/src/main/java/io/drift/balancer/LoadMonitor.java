package io.drift.balancer;

import io.drift.api.spi.LocalLoad;
import io.drift.balancer.policy.SmoothedLoad;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import java.time.Duration;

/**
 * Measures this node every {@code drift.load.interval} and writes the sample to the cluster-wide
 * {@link #KEY} map (WriteLocal: gossip spreads it) when it differs from the last one written,
 * or {@code drift.load.refresh} after that. Removes the samples of members that left.
 */
public final class LoadMonitor {

  /** Every node's latest sample, by node name. */
  public static final Key<LWWMap<String, LoadSample>> KEY = LWWMapKey.create("drift-load");

  public sealed interface Command {}

  private enum Tick implements Command { INSTANCE }

  private record Written(Replicator.UpdateResponse<LWWMap<String, LoadSample>> rsp)
      implements Command {}

  private record MemberGone(String node) implements Command {}

  /**
   * @param local the executor's run queue
   * @param speed this node's speed relative to the reference node
   * @param memoryBytes the memory this node gives its units, all together
   * @param selfNode this node's name ({@code host:port})
   * @param executorPath the serialized reference of this node's executor
   */
  public static Behavior<Command> create(
      LoadSettings settings, LocalLoad local, double speed, long memoryBytes, String selfNode,
      String executorPath) {
    if (memoryBytes <= 0) {
      throw new IllegalArgumentException("memory budget must be > 0, got " + memoryBytes);
    }
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        DistributedData.<Command, LWWMap<String, LoadSample>>withReplicatorMessageAdapter(
            ddata -> new LoadMonitor(ctx, ddata, local, speed, memoryBytes, selfNode,
                executorPath, settings.refresh()).start(timers, settings))));
  }

  private final ActorContext<Command> ctx;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, LoadSample>> ddata;
  private final SelfUniqueAddress selfUnique;
  private final LocalLoad local;
  private final double speed;
  private final long memoryBytes;
  private final String selfNode;
  private final String executorPath;
  private long sequence;
  private SmoothedLoad smoothed;
  private LoadSample lastWritten;
  private long lastWrittenNanos;
  private final long refreshNanos; // an unchanged sample is written again this often

  private LoadMonitor(ActorContext<Command> ctx,
      ReplicatorMessageAdapter<Command, LWWMap<String, LoadSample>> ddata, LocalLoad local,
      double speed, long memoryBytes, String selfNode, String executorPath, Duration refresh) {
    this.ctx = ctx;
    this.refreshNanos = refresh.toNanos();
    this.ddata = ddata;
    this.selfUnique = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    this.local = local;
    this.speed = speed;
    this.memoryBytes = memoryBytes;
    this.selfNode = selfNode;
    this.executorPath = executorPath;
  }

  private Behavior<Command> start(TimerScheduler<Command> timers, LoadSettings settings) {
    Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.MemberRemoved.class,
            e -> new MemberGone(NodeNames.of(e.member().address()))),
        ClusterEvent.MemberRemoved.class));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.sampleInterval());
    publish(); // at once, so placement can start before the first tick
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> {
          publish();
          return Behaviors.same();
        })
        .onMessage(Written.class, w -> {
          if (!(w.rsp() instanceof Replicator.UpdateSuccess)) {
            // a local write fails only while the replicator stops, at shutdown
            ctx.getLog().debug("writing the load sample failed: {}", w.rsp());
          }
          return Behaviors.same();
        })
        .onMessage(MemberGone.class, g -> {
          ddata.askUpdate(
              replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(),
                  replyTo, map -> map.remove(selfUnique, g.node())),
              Written::new);
          return Behaviors.same();
        })
        .build();
  }

  /**
   * Whether two samples say the same thing, but for their sequence. The smoothed run queues
   * decay towards the current one by ever smaller steps, so they count as the same within a
   * hundredth of a unit.
   */
  static boolean sameLoad(LoadSample a, LoadSample b) {
    return a.slots() == b.slots() && a.runnable() == b.runnable() && a.guests() == b.guests()
        && a.admitted() == b.admitted() && a.speed() == b.speed()
        && a.freeMemoryBytes() == b.freeMemoryBytes()
        && a.totalMemoryBytes() == b.totalMemoryBytes()
        && a.acceptingGuests() == b.acceptingGuests()
        && Math.abs(a.localRunQueue() - b.localRunQueue()) < 0.01
        && Math.abs(a.exportedRunQueue() - b.exportedRunQueue()) < 0.01
        && a.node().equals(b.node()) && a.executorPath().equals(b.executorPath())
        && java.util.Objects.equals(a.cluster(), b.cluster())
        && a.guestsByCluster().equals(b.guestsByCluster());
  }

  /**
   * Measures now, and smooths the run queue as MOSIX does. Memory is the node's budget less
   * what its units hold, not the JVM's free heap: the heap's garbage would make a node look
   * short of memory until its next collection, and send units away for nothing (decision 0018).
   */
  LoadSample measure() {
    long admitted = local.admitted(); // before the run queue (LocalLoad#admitted)
    int runnable = local.runnableUnits();
    smoothed = smoothed == null ? SmoothedLoad.of(runnable) : smoothed.next(runnable);
    long free = Math.max(0, memoryBytes - local.unitMemoryBytes());
    io.drift.balancer.grid.GridView grid = io.drift.balancer.grid.GridView.get(ctx.getSystem());
    java.util.Map<String, Integer> byCluster = new java.util.TreeMap<>();
    for (io.drift.api.spi.UnitLoad u : local.units()) {
      if (u.guest() && u.homeNode() != null) {
        String dc = grid.clusterOf(u.homeNode());
        byCluster.merge(dc == null ? "?" : dc, 1, Integer::sum);
      }
    }
    return new LoadSample(selfNode, executorPath, ++sequence, local.slots(), runnable,
        local.guests(), admitted, speed, free, memoryBytes, local.acceptsGuests(),
        smoothed.local(), smoothed.exported(), grid.self(), byCluster);
  }

  private void publish() {
    LoadSample sample = measure();
    long now = System.nanoTime();
    if (lastWritten != null && sameLoad(sample, lastWritten)
        && now - lastWrittenNanos < refreshNanos) {
      return;
    }
    lastWritten = sample;
    lastWrittenNanos = now;
    ddata.askUpdate(
        replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
            map -> map.put(selfUnique, selfNode, sample)),
        Written::new);
  }
}
