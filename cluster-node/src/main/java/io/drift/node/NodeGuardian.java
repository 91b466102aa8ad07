package io.drift.node;

import io.drift.balancer.Balancer;
import io.drift.balancer.LoadMonitor;
import io.drift.api.JobId;
import io.drift.balancer.NodeNames;
import io.drift.balancer.HomeStarts;
import io.drift.balancer.UnitMover;
import io.drift.balancer.policy.HomeFirstPolicy;
import io.drift.balancer.policy.OpportunityCostPolicy;
import io.drift.balancer.policy.PlacementPolicy;
import io.drift.balancer.policy.RoundRobinPolicy;
import io.drift.home.HomeManager;
import io.drift.home.JobStore;
import io.drift.api.WorkUnit;
import io.drift.migration.code.CodeStore;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.executor.Executor;
import io.drift.migration.executor.FrozenStore;
import io.drift.migration.executor.SideChannel;
import io.drift.migration.executor.SlotRunner;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;

/** Starts a node's actors and wires them; does nothing else. */
public final class NodeGuardian {
  private NodeGuardian() {}

  /**
   * {@code drift.balancer.placement}: {@code cost}, {@code home-first} (at home while it has a
   * free slot, else by cost), or {@code round-robin} for benchmarks.
   */
  static PlacementPolicy placement(NodeSettings settings) {
    return switch (settings.placement()) {
      case "round-robin" -> new RoundRobinPolicy();
      case "home-first" -> new HomeFirstPolicy(new OpportunityCostPolicy(settings.policy()));
      default -> new OpportunityCostPolicy(settings.policy());
    };
  }

  /** Names under {@code /user}; a client finds the gateway by its path. */
  public static final String GATEWAY = "gateway";

  public static Behavior<Void> create(NodeSettings settings, CompletableFuture<NodeRefs> started) {
    return Behaviors.setup(ctx -> {
      String self = NodeNames.of(Cluster.get(ctx.getSystem()).selfMember().address());
      StateCodec codec = new StateCodec();
      SlotRunner runner = new SlotRunner(settings.executor(), codec);
      // one store per node, as for frozen units: a node fetches what it lacks from homes
      CodeStore code = new CodeStore(settings.codeDir().resolve(self.replace(':', '_')),
          settings.maxCodeBytes(), WorkUnit.class.getClassLoader());
      // one side channel per node: states on the move, and file data to and from homes
      SideChannel side = settings.migration().sideChannel()
          ? Executor.bindSideChannel(ctx.getLog(), self, settings.migration(),
              io.drift.migration.executor.SideChannelTls.of(ctx.getSystem())) : null;
      ActorRef<Executor.Command> executor =
          ctx.spawn(Executor.createInCluster(runner, codec, self, settings.migration(),
              new FrozenStore(settings.frozenDir().resolve(self.replace(':', '_'))), code, side),
              "executor");
      // a grid: guests only from the clusters this cluster takes jobs from, each within its
      // share of the partner's guest limit (drift.grid.partners, as changed at run time)
      io.drift.balancer.grid.GridView grid = io.drift.balancer.grid.GridView.get(ctx.getSystem());
      executor.tell(new Executor.SetGuestGate(grid::refusal));
      // the bandwidth this node's moves reach, per cluster: what crossing to a partner costs
      io.drift.migration.executor.TransferMeter.get(ctx.getSystem()).listen(grid::transferred);
      String executorPath = ActorRefResolver.get(ctx.getSystem()).toSerializationFormat(executor);
      ctx.getLog().info("node {}: {} slots, speed {}", self, settings.executor().slots(),
          String.format(java.util.Locale.ROOT, "%.3f", settings.speed()));
      ctx.spawn(LoadMonitor.create(settings.load(), runner, settings.speed(),
          settings.memoryBytes(), self, executorPath),
          "load-monitor");
      UnitMover mover = (jobId, target, outcome) ->
          executor.tell(new Executor.RequestMove(JobId.of(jobId), target, outcome));
      PlacementPolicy placement = placement(settings);
      // home-first: a job takes a free slot at home without asking the balancer (decision 0036)
      HomeStarts homeStarts = placement instanceof HomeFirstPolicy
          ? new HomeStarts(runner, self, executorPath, settings.decisionsKept()) : null;
      ActorRef<Balancer.Command> balancer = ctx.spawn(Balancer.create(settings.load(),
          settings.gossip(), placement, self,
          new Balancer.Mover(runner, mover, settings.policy(), settings.migrate(),
              settings.decisionsKept()), homeStarts), "balancer");
      ctx.spawn(Balancer.peerFacing(balancer), Balancer.GOSSIP_NAME);
      ActorRef<HomeManager.Command> homes =
          ctx.spawn(HomeManager.create(settings.home(), balancer, self, code, side,
              new JobStore(settings.jobsDir().resolve(self.replace(':', '_'))), homeStarts),
              "homes");
      // on the blocking dispatcher: it writes uploaded jars
      ActorRef<Gateway.Command> gateway = ctx.spawn(Gateway.create(homes, balancer, codec, code,
          self, settings.maxStateBytes(), settings.createTimeout()), GATEWAY,
          org.apache.pekko.actor.typed.DispatcherSelector.blocking());
      ctx.getSystem().receptionist().tell(Receptionist.register(Gateway.SERVICE_KEY, gateway));
      // the terms kept current; guests they no longer take go home, and jobs in clusters they
      // no longer send to come home, at each change and until none is left
      ActorRef<HomeManager.Brought> ignore = ctx.getSystem().ignoreRef();
      ActorRef<io.drift.balancer.grid.GridKeeper.Command> keeper = ctx.spawn(
          io.drift.balancer.grid.GridKeeper.create(settings.gossip().interval().multipliedBy(2),
              () -> {
                executor.tell(new Executor.RecheckGuests());
                homes.tell(new HomeManager.BringHome(host -> {
                  String dc = grid.clusterOf(host);
                  return dc != null && !grid.table().maySendTo(dc);
                }, ignore));
              }), "grid");
      NodeRefs refs = new NodeRefs(self, executor, balancer, homes, gateway, keeper);
      ctx.spawn(ControlActor.create(new NodeControl(ctx.getSystem(), refs)), ControlActor.NAME);
      started.complete(refs);
      return Behaviors.empty();
    });
  }
}
