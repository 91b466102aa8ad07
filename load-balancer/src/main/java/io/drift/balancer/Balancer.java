package io.drift.balancer;

import io.drift.api.JobId;
import io.drift.balancer.policy.NodeLoad;
import io.drift.balancer.policy.PlacementDecision;
import io.drift.balancer.policy.PlacementPolicy;
import io.drift.balancer.policy.PlacementRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.drift.api.spi.LocalLoad;
import io.drift.api.spi.UnitLoad;
import io.drift.balancer.gossip.GossipSettings;
import io.drift.balancer.policy.Admission;
import io.drift.balancer.policy.LocalView;
import io.drift.balancer.policy.MigrationDecision;
import io.drift.balancer.policy.MigrationPolicy;
import io.drift.balancer.policy.PeerView;
import io.drift.balancer.policy.PolicyConfig;
import io.drift.balancer.policy.UnitView;
import io.drift.balancer.gossip.GossipWindow;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Decides where new jobs run. Knows the other nodes through its {@link GossipWindow}: every
 * {@code drift.balancer.gossip.interval} it sends its own sample and the W freshest it holds to
 * one other member chosen at random, and merges what others send it. Samples that reach it
 * through Distributed Data (every node still writes its own there, for operators) enter the
 * window too, as fresh news. Placement asks the {@link PlacementPolicy} about this node and the
 * live members of the window, corrected for its own placements their samples cannot show yet.
 */
public final class Balancer {

  public sealed interface Command {}

  /**
   * Choose a node for this job; the home asks its own node's balancer. {@code observed}: run
   * queues that nodes gave when they refused this job for being busier than believed, truer than
   * their samples. {@code onlyNode}: that node or none, null any (a job its user started on a
   * node, or a state too large for the message that starts a unit elsewhere, which starts at
   * home and moves later like any unit).
   */
  public record Place(JobId jobId, long memoryMb, Set<String> excluded,
      Map<String, Integer> observed, String onlyNode, ActorRef<PlaceReply> replyTo)
      implements Command {

    public Place(JobId jobId, long memoryMb, Set<String> excluded,
        Map<String, Integer> observed, ActorRef<PlaceReply> replyTo) {
      this(jobId, memoryMb, excluded, observed, null, replyTo);
    }

    public Place(JobId jobId, long memoryMb, Set<String> excluded,
        ActorRef<PlaceReply> replyTo) {
      this(jobId, memoryMb, excluded, Map.of(), null, replyTo);
    }
  }

  public sealed interface PlaceReply {
    JobId jobId();

    PlacementDecision decision();
  }

  /**
   * {@code believedRunQueue}: the chosen node's run queue as this balancer saw it (its sample
   * and the placements since); the node refuses the job if it is busier ({@link
   * io.drift.balancer.policy.Admission#admitsPlacement}).
   */
  public record Placed(JobId jobId, String node, String executorPath, int believedRunQueue,
      PlacementDecision decision) implements PlaceReply {

    /** A placement the node does not check against a belief (tests, and retries past the last). */
    public Placed(JobId jobId, String node, String executorPath, PlacementDecision decision) {
      this(jobId, node, executorPath, -1, decision);
    }
  }

  public record Unplaceable(JobId jobId, PlacementDecision decision) implements PlaceReply {}

  /** Where is this node's executor? For moves a user asks for by node name. */
  public record Locate(String node, ActorRef<Location> replyTo) implements Command {}

  /** {@code executorPath} is null, and {@code problem} says why, when the node can't be used. */
  public record Location(String node, String executorPath, String problem) {}

  /**
   * How much room the grid has for new jobs, as this node knows it by the gossip: the free slots
   * of the nodes this cluster may place on (its own, and the partners it sends to, that take
   * guests), less the placements their samples do not show yet. The batch queue admits that
   * many.
   */
  public record GetRoom(ActorRef<Room> replyTo) implements Command {}

  public record Room(String node, int freeSlots) {}

  /** The nodes this balancer knows, with their latest samples. */
  public record GetNodes(ActorRef<Nodes> replyTo) implements Command {}

  /**
   * The operator's switch (MOSIX: mosctl stay/nostay): with {@code stay}, this node moves none
   * of its units away by itself (moves by hand, drains and expulsions still happen, and other
   * nodes may still send units here).
   */
  public record SetStay(boolean stay, ActorRef<Moving> replyTo) implements Command {}

  public record GetMoving(ActorRef<Moving> replyTo) implements Command {}

  /**
   * {@code migrate}: automatic moves configured ({@code drift.balancer.migrate}); {@code stay}:
   * switched off here by the operator.
   */
  public record Moving(String node, boolean migrate, boolean stay) {}

  public record Nodes(List<NodeStatus> nodes) implements BalancerWire {}

  /**
   * @param ageMillis time since this node received the sample (local clock; no clock sync)
   * @param recentPlacements this node's placements there that the sample does not show yet
   * @param gossipAge the age, in gossip intervals, of what the window holds of the node: 0 for
   *     this node, -1 if the window holds nothing of it
   */
  public record NodeStatus(LoadSample sample, String memberStatus, boolean reachable,
      long ageMillis, int recentPlacements, int gossipAge) implements BalancerWire {}

  private record SamplesChanged(Map<String, LoadSample> samples) implements Command {}

  private enum ReadSamples implements Command { INSTANCE }

  /** A local read of the samples failed (the replicator stops, at shutdown). */
  private enum SamplesUnread implements Command { INSTANCE }

  private enum GossipTick implements Command { INSTANCE }

  /** A peer's gossip; it arrives as the window's message. */
  private record Gossip(GossipWindow.Message message) implements Command {}

  private record MemberGone(String node) implements Command {}

  /** What a balancer accepts from other nodes' balancers. */
  public static Behavior<BalancerWire> peerFacing(ActorRef<Command> balancer) {
    return Behaviors.receive(BalancerWire.class)
        .onMessage(GossipWindow.Message.class, m -> {
          balancer.tell(new Gossip(m));
          return Behaviors.same();
        })
        .onMessage(ReserveMove.class, r -> {
          balancer.tell(new MoveAsked(r));
          return Behaviors.same();
        })
        .onMessage(ReleaseMove.class, r -> {
          balancer.tell(new Released(r));
          return Behaviors.same();
        })
        .build();
  }

  /**
   * A balancer that decided to move {@code unit} here asks first (MOSIX's reserve-on-accept):
   * this node checks on its true run queue, with the transfers it has already promised, that
   * it can hold the unit, is not flooded, and that the load test still holds ({@link
   * io.drift.balancer.policy.Admission#admitsMove}). A granted reservation counts as a unit
   * here until the unit arrives or {@link #RESERVATION_NANOS} pass.
   */
  public record ReserveMove(String unit, String from, String kind, double senderRunQueue,
      double senderSpeed, int senderSlots, long memoryBytes,
      ActorRef<MoveReservation> replyTo, String home) implements BalancerWire {

    /** {@code home}: the unit's home node, for a grid's terms; null if not known. */
    public ReserveMove(String unit, String from, String kind, double senderRunQueue,
        double senderSpeed, int senderSlots, long memoryBytes,
        ActorRef<MoveReservation> replyTo) {
      this(unit, from, kind, senderRunQueue, senderSpeed, senderSlots, memoryBytes, replyTo,
          null);
    }
  }

  public record MoveReservation(String unit, String node, boolean granted, String reason)
      implements BalancerWire {}

  /**
   * The unit a reservation was granted for will not come (its home refused the move, or did
   * not answer): the place it held is free again at once, not after {@link #RESERVATION_NANOS}.
   */
  public record ReleaseMove(String unit) implements BalancerWire {}

  private record MoveAsked(ReserveMove request) implements Command {}

  private record Released(ReleaseMove request) implements Command {}

  private record Reserved(MoveReservation answer) implements Command {}

  /** How long a granted reservation holds a place for a unit that has not come. */
  static final long RESERVATION_NANOS = 10_000_000_000L;

  /** The last decisions of this node, oldest first. */
  public record GetDecisions(ActorRef<Decisions> replyTo) implements Command {}

  public record Decisions(String node, List<Decision> decisions) implements BalancerWire {}

  /**
   * This node's decisions about one job: those that placed or moved it, and those that left it
   * where it was and name it in their reason.
   */
  public record DecisionsAbout(String job, ActorRef<Decisions> replyTo) implements Command {}

  private record MoveOutcome(String line) implements Command {}

  /**
   * What the balancer needs of its own node to move units: the run queue, and the way to ask a
   * unit's home for a move. {@code migrate} off: it places, and never moves anything itself.
   */
  public record Mover(LocalLoad local, UnitMover mover, PolicyConfig policy, boolean migrate,
      int decisionsKept) {

    /** Placement only (tests of other modules; nodes with drift.balancer.migrate = off). */
    public static Mover none() {
      return new Mover(null, null, PolicyConfig.defaults(), false, 300);
    }
  }

  /** The name of the actor that takes other balancers' gossip, under the node's guardian. */
  public static final String GOSSIP_NAME = "balancer-gossip";


  public static Behavior<Command> create(LoadSettings settings, GossipSettings gossip,
      PlacementPolicy policy, String selfNode) {
    return create(settings, gossip, policy, selfNode, Mover.none());
  }

  public static Behavior<Command> create(LoadSettings settings, GossipSettings gossip,
      PlacementPolicy policy, String selfNode, Mover mover) {
    return create(settings, gossip, policy, selfNode, mover, null);
  }

  /**
   * @param homeStarts this node's slots that its jobs' proxies take without asking (decision
   *     0036), for a policy that reads its own node live; null: every placement asks
   */
  public static Behavior<Command> create(LoadSettings settings, GossipSettings gossip,
      PlacementPolicy policy, String selfNode, Mover mover, HomeStarts homeStarts) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        DistributedData.<Command, LWWMap<String, LoadSample>>withReplicatorMessageAdapter(ddata -> {
          // read the local replica every load interval rather than subscribe: a subscription
          // makes the replicator serialize and digest the whole map at every change it takes
          // (each node's sample, up to every interval from each node), to decide whether to
          // notify; a local read costs a map copy
          timers.startTimerWithFixedDelay(ReadSamples.INSTANCE, settings.sampleInterval());
          ctx.getSelf().tell(ReadSamples.INSTANCE);
          Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
              ctx.messageAdapter(ClusterEvent.MemberRemoved.class,
                  e -> new MemberGone(NodeNames.of(e.member().address()))),
              ClusterEvent.MemberRemoved.class));
          timers.startTimerWithFixedDelay(GossipTick.INSTANCE, gossip.interval());
          return new Balancer(ctx, settings, gossip, policy, selfNode, mover, ddata, homeStarts)
              .behavior();
        })));
  }

  private final ActorContext<Command> ctx;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, LoadSample>> ddata;
  private final PlacementPolicy policy;
  private final String selfNode;
  private final Cluster cluster;
  private final Map<String, LoadSample> samples = new HashMap<>();
  private final Map<String, Long> receivedAtNanos = new HashMap<>();
  private final RecentPlacements recent;
  /**
   * For a policy that {@link PlacementPolicy#wantsOwnNodeLive wants it} this balancer reads its
   * own node from the executor, not from its last sample ({@link #runQueue}, {@link
   * #admitted}), so that a burst fills the home's free slots and no more (decision 0035).
   */
  private final boolean liveHome;
  /** Slots at home that proxies took without asking (decision 0036); null: none are taken. */
  private final HomeStarts homeStarts;
  /** The counters of {@link #record}, by kind: a registry lookup per decision adds up. */
  private final Map<String, io.micrometer.core.instrument.Counter> decisionCounters =
      new HashMap<>();
  private final GossipWindow window;
  private final ActorRefResolver resolver;
  private final boolean fromDistributedData;
  private final long gossipIntervalNanos;

  private final Mover mover;
  private final List<Decision> decisions = new ArrayList<>(); // oldest first, a few hundred
  private final ActorRef<String> outcomes;
  private long decisionSeq;
  private String movePending; // the unit a move was asked for, until home answers
  /** Units whose home refused a move, until when: the policy takes them as pinned till then. */
  private final Map<String, Long> refusedUntil = new HashMap<>();
  private long movePendingSince;
  private boolean reserving; // the pending move waits for its target's reservation
  private ActorRef<BalancerWire> moveTarget; // the balancer asked for the pending move's place
  private boolean stay; // the operator's mosctl stay
  private final ActorRef<MoveReservation> reservations;
  /** Units promised a place here: until when, and the memory they bring. */
  private final Map<String, Promise> promised = new HashMap<>();

  private record Promise(long untilNanos, long memoryBytes) {}

  private Balancer(ActorContext<Command> ctx, LoadSettings settings, GossipSettings gossip,
      PlacementPolicy policy, String selfNode, Mover mover,
      ReplicatorMessageAdapter<Command, LWWMap<String, LoadSample>> ddata,
      HomeStarts homeStarts) {
    this.mover = mover;
    this.ddata = ddata;
    this.outcomes = ctx.messageAdapter(String.class, MoveOutcome::new);
    this.reservations = ctx.messageAdapter(MoveReservation.class, Reserved::new);
    this.ctx = ctx;
    this.policy = policy;
    this.selfNode = selfNode;
    this.cluster = Cluster.get(ctx.getSystem());
    this.recent = new RecentPlacements(settings.placementMemory().toNanos());
    this.liveHome = policy.wantsOwnNodeLive() && mover.local() != null;
    this.homeStarts = liveHome ? homeStarts : null;
    this.window = new GossipWindow(selfNode, gossip.window(), gossip.maxAge());
    this.resolver = ActorRefResolver.get(ctx.getSystem());
    this.fromDistributedData = gossip.fromDistributedData();
    this.gossipIntervalNanos = gossip.interval().toNanos();
    this.gridView = io.drift.balancer.grid.GridView.get(ctx.getSystem());
    this.crossEntries = ctx.getSystem().settings().config().getInt("drift.grid.cross-entries");
  }

  /** This node's cluster (data center) and its terms with the others of its grid, as now. */
  private final io.drift.balancer.grid.GridView gridView;
  /** Entries of this cluster sent to a partner cluster per interval, at most. */
  private final int crossEntries;

  /**
   * The cluster of a member, if this cluster's jobs may go there (its own: always), else null.
   */
  private String sendable(io.drift.balancer.grid.PartnerTable grid, Member m) {
    String dc = m.dataCenter();
    return grid.maySendTo(dc) ? dc : null;
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessageEquals(ReadSamples.INSTANCE, () -> {
          ddata.askGet(
              replyTo -> new Replicator.Get<>(LoadMonitor.KEY, Replicator.readLocal(), replyTo),
              rsp -> rsp instanceof Replicator.GetSuccess<LWWMap<String, LoadSample>> ok
                  ? new SamplesChanged(Map.copyOf(ok.get(LoadMonitor.KEY).getEntries()))
                  : rsp instanceof Replicator.NotFound<?> ? new SamplesChanged(Map.of())
                  : SamplesUnread.INSTANCE);
          return Behaviors.same();
        })
        .onMessageEquals(SamplesUnread.INSTANCE, Behaviors::same)
        .onMessage(SamplesChanged.class, this::onSamples)
        .onMessageEquals(GossipTick.INSTANCE, this::onGossipTick)
        .onMessage(Gossip.class, g -> {
          window.merge(g.message());
          return Behaviors.same();
        })
        .onMessage(MoveOutcome.class, this::onMoveOutcome)
        .onMessage(MoveAsked.class, this::onMoveAsked)
        .onMessage(Released.class, r -> {
          promised.remove(r.request().unit());
          return Behaviors.same();
        })
        .onMessage(Reserved.class, this::onReserved)
        .onMessage(GetDecisions.class, g -> {
          logHomeStarts();
          g.replyTo().tell(new Decisions(selfNode, List.copyOf(decisions)));
          return Behaviors.same();
        })
        .onMessage(DecisionsAbout.class, d -> {
          logHomeStarts();
          d.replyTo().tell(new Decisions(selfNode, decisions.stream()
              .filter(x -> d.job().equals(x.unit()) || x.reason().contains(d.job())).toList()));
          return Behaviors.same();
        })
        .onMessage(MemberGone.class, g -> {
          window.gone(g.node());
          return Behaviors.same();
        })
        .onMessage(Place.class, this::onPlace)
        .onMessage(GetNodes.class, this::onGetNodes)
        .onMessage(GetRoom.class, g -> {
          g.replyTo().tell(new Room(selfNode, room()));
          return Behaviors.same();
        })
        .onMessage(SetStay.class, s -> {
          stay = s.stay();
          ctx.getLog().info("node {} {}", selfNode, stay
              ? "stays: it moves no unit away by itself" : "moves units away by itself again");
          s.replyTo().tell(new Moving(selfNode, mover.migrate(), stay));
          return Behaviors.same();
        })
        .onMessage(GetMoving.class, g -> {
          g.replyTo().tell(new Moving(selfNode, mover.migrate(), stay));
          return Behaviors.same();
        })
        .onMessage(Locate.class, l -> {
          // what Distributed Data brought, else what gossip did: either may come first
          LoadSample s = samples.get(l.node());
          if (s == null) {
            s = window.entries().stream().filter(e -> e.node().equals(l.node()))
                .map(GossipWindow.Entry::sample).findFirst().orElse(null);
          }
          String problem = s == null ? "no node " + l.node() + " is known (nodes: "
              + String.join(", ", samples.keySet().stream().sorted().toList()) + ")"
              : !upMembers().containsKey(l.node()) ? "node " + l.node() + " is not up and reachable"
              : null;
          l.replyTo().tell(new Location(l.node(), problem == null ? s.executorPath() : null, problem));
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onSamples(SamplesChanged c) {
    long now = System.nanoTime();
    c.samples().forEach((node, s) -> {
      LoadSample old = samples.get(node);
      if (old == null || old.sequence() != s.sequence()) {
        samples.put(node, s);
        receivedAtNanos.put(node, now);
        // news at its arrival, of this cluster only: other clusters' samples reach the window
        // through the bounded gossip between clusters (Distributed Data keeps them for
        // operators)
        if (fromDistributedData && gridView.self().equals(s.cluster())) {
          window.merge(new GossipWindow.Entry(node, s, 0, false));
        }
      }
    });
    samples.keySet().retainAll(c.samples().keySet());
    receivedAtNanos.keySet().retainAll(c.samples().keySet());
    openHomeStarts();
    return Behaviors.same();
  }

  /**
   * One message to one live member of this cluster chosen uniformly at random, each interval;
   * and in a grid one more, to a member of a partner cluster chosen at random, with at most
   * {@code drift.grid.cross-entries} entries of this cluster: what crosses between clusters
   * is bounded, whatever their sizes.
   */
  private Behavior<Command> onGossipTick() {
    window.tick();
    LoadSample own = samples.get(selfNode);
    openHomeStarts();
    logHomeStarts(); // at least once an interval, so that they wait in no queue for long
    if (own == null) {
      return Behaviors.same();
    }
    io.drift.balancer.grid.PartnerTable grid = gridView.table();
    List<Member> others = new ArrayList<>();
    List<Member> partners = new ArrayList<>();
    upMembers().forEach((node, m) -> {
      if (node.equals(selfNode)) {
        return;
      }
      if (m.dataCenter().equals(grid.self())) {
        others.add(m);
      } else if (!grid.isolated() && grid.partners().containsKey(m.dataCenter())) {
        partners.add(m);
      }
    });
    if (!others.isEmpty()) {
      Member to = others.get(ThreadLocalRandom.current().nextInt(others.size()));
      ActorRef<GossipWindow.Message> peer =
          resolver.resolveActorRef(to.address() + "/user/" + GOSSIP_NAME);
      peer.tell(window.message(own));
    }
    if (!partners.isEmpty() && crossEntries > 0) {
      Member to = partners.get(ThreadLocalRandom.current().nextInt(partners.size()));
      List<GossipWindow.Entry> entries = new ArrayList<>();
      entries.add(new GossipWindow.Entry(selfNode, own, 0, false));
      for (GossipWindow.Entry e : window.entries()) { // freshest first
        if (entries.size() >= crossEntries) {
          break;
        }
        if (grid.self().equals(e.sample().cluster())) {
          entries.add(e);
        }
      }
      ActorRef<GossipWindow.Message> peer =
          resolver.resolveActorRef(to.address() + "/user/" + GOSSIP_NAME);
      peer.tell(new GossipWindow.Message(selfNode, entries));
      io.micrometer.core.instrument.Metrics.counter("drift.grid.gossip.entries", "node",
          selfNode, "to", to.dataCenter()).increment(entries.size());
    }
    if (mover.migrate() && !stay) {
      decideMove(own);
    }
    return Behaviors.same();
  }

  /** Home answers a move within this; after it, the balancer decides again without the answer. */
  private static final long MOVE_ANSWER_NANOS = 60_000_000_000L;
  /** The logger getLog gives this class, asked only whether it would write debug lines. */
  private static final org.slf4j.Logger DEBUG = org.slf4j.LoggerFactory.getLogger(Balancer.class);

  /** A target answers a reservation within this many intervals, or the move is given up. */
  private static final int RESERVE_ANSWER_INTERVALS = 3;

  /** One migration decision per interval (MOSIX: one process per decision tick). */
  private void decideMove(LoadSample own) {
    long now = System.nanoTime();
    if (movePending != null && now - movePendingSince < (reserving
        ? RESERVE_ANSWER_INTERVALS * gossipIntervalNanos : MOVE_ANSWER_NANOS)) {
      return; // one move at a time
    }
    if (movePending != null) {
      setOutcome(movePending, reserving ? "not moved: the target did not answer the reservation"
          : "no answer from home");
      release(movePending);
    }
    movePending = null;
    reserving = false;
    refusedUntil.values().removeIf(until -> now - until >= 0);
    List<UnitLoad> units = mover.local().units();
    if (units.isEmpty()) {
      return; // nothing to decide: the log keeps decisions, not idle ticks
    }
    UnitLoad guest = localFirst(units, own.slots(), now);
    if (guest != null) {
      String dc = gridView.clusterOf(guest.homeNode());
      record("evict", guest.jobId(), "home", String.format(java.util.Locale.ROOT,
          "%d units want %d slots and guest %s of cluster %s (priority %d) is of the lowest"
          + " priority here: local work first, it goes home (frozen there if home will not"
          + " run it)", mover.local().runnableUnits(), own.slots(), guest.jobId(), dc,
          gridView.table().priorityOf(dc)));
      movePending = guest.jobId();
      movePendingSince = now;
      reserving = false;
      moveTarget = null;
      mover.mover().requestMove(guest.jobId(), io.drift.api.spi.MoveTargets.GO_HOME, outcomes);
      return;
    }
    List<UnitView> views = new ArrayList<>(units.size());
    for (UnitLoad u : units) {
      Long until = refusedUntil.get(u.jobId());
      boolean refused = until != null && now - until < 0;
      // the work it has done, MOSIX's predictor of the work it still needs, in reference
      // seconds: its CPU time or, if more, its time in steps here (a unit that waits in its
      // steps, as the benchmarks' emulated work does, still holds its slot), at this node's
      // speed. A move costs its state over the bandwidth (the size when last encoded) plus a
      // fixed part; the memory it holds is that state too (as the node's sample counts it).
      double ran = Math.max(u.cpuNanos(), u.slotNanos()) / 1e9;
      views.add(new UnitView(u.jobId(), ran * own.speed(), u.stateBytes(), u.stateBytes(),
          u.residencyNanos() / 1e9, refused, u.guest()));
    }
    // free memory from the units here now, not from the last sample, which a unit that just
    // left may still be in (a second unit would be ushered for nothing)
    long held = 0;
    for (UnitView u : views) {
      held += u.memoryBytes();
    }
    LocalView view = new LocalView(selfNode, own.speed(), own.slots(), own.localRunQueue(),
        mover.local().runnableUnits(), Math.max(0, own.totalMemoryBytes() - held),
        own.totalMemoryBytes(), views);
    Map<String, Member> up = upMembers();
    io.drift.balancer.grid.PartnerTable grid = gridView.table();
    List<PeerView> peers = new ArrayList<>();
    java.util.TreeMap<Integer, List<PeerView>> partners = new java.util.TreeMap<>();
    Map<String, LoadSample> bySamples = new HashMap<>();
    for (GossipWindow.Entry e : window.freshest()) {
      LoadSample s = e.sample();
      Member m = up.get(e.node());
      String dc = m == null ? null : sendable(grid, m);
      if (dc != null) {
        // a partner's node costs a move at the bandwidth measured to its cluster (0: the
        // configured one, until a move there measured it)
        PeerView v = new PeerView(e.node(), s.speed(), s.slots(),
            s.exportedRunQueue() + recent(s), s.freeMemoryBytes(), s.totalMemoryBytes(),
            s.acceptingGuests(), e.age(),
            dc.equals(grid.self()) ? 0 : gridView.bandwidthTo(dc));
        (dc.equals(grid.self()) ? peers : partners.computeIfAbsent(grid.priorityOf(dc),
            k -> new ArrayList<>())).add(v);
        bySamples.put(e.node(), s);
      }
    }
    MigrationDecision d = MigrationPolicy.decide(view, peers, mover.policy(),
        ThreadLocalRandom.current());
    // local first: partners' nodes only when no node of this cluster will take a unit, a
    // priority at a time, lowest number first
    for (List<PeerView> level : partners.values()) {
      if (d.moves()) {
        break;
      }
      d = MigrationPolicy.decide(view, level, mover.policy(), ThreadLocalRandom.current());
    }
    if (!d.moves()) {
      record("stay", null, null, d.reason());
      return;
    }
    record(d.kind(), d.unit(), d.target(), d.reason());
    LoadSample target = bySamples.get(d.target());
    recent.placed(d.target(), admitted(target), now);
    movePending = d.unit();
    movePendingSince = now;
    reserving = true;
    ActorRef<BalancerWire> peer = resolver.resolveActorRef(
        up.get(d.target()).address() + "/user/" + GOSSIP_NAME);
    moveTarget = peer;
    long memory = 0;
    for (UnitView u : views) {
      if (u.id().equals(d.unit())) {
        memory = u.memoryBytes();
      }
    }
    String home = null;
    for (UnitLoad u : units) {
      if (u.jobId().equals(d.unit())) {
        home = u.homeNode();
      }
    }
    peer.tell(new ReserveMove(d.unit(), selfNode, d.kind(), own.localRunQueue(), own.speed(),
        own.slots(), memory, reservations, home));
  }

  /**
   * Local work first (MOSIX's owner autonomy): when more units want this node than it has
   * slots, and a guest of another cluster shares it with a unit of a lower priority number (this
   * cluster's own, priority 0, or a partner's that this cluster ranks ahead), the guest of the
   * highest number, latest arrived, leaves. Null if none must. Guests of one priority among
   * themselves are the policy's to balance.
   */
  private UnitLoad localFirst(List<UnitLoad> units, int slots, long now) {
    io.drift.balancer.grid.PartnerTable grid = gridView.table();
    if (grid.partners().isEmpty() || mover.local().runnableUnits() <= slots) {
      return null;
    }
    int best = Integer.MAX_VALUE;
    UnitLoad worst = null;
    int worstRank = -1;
    for (UnitLoad u : units) {
      String dc = u.guest() && u.homeNode() != null ? gridView.clusterOf(u.homeNode()) : null;
      int rank = dc == null ? 0 : grid.priorityOf(dc);
      best = Math.min(best, rank);
      Long until = refusedUntil.get(u.jobId());
      boolean refused = until != null && now - until < 0;
      if (rank > 0 && !refused && (rank > worstRank
          || rank == worstRank && u.residencyNanos() < worst.residencyNanos())) {
        worst = u;
        worstRank = rank;
      }
    }
    return worst != null && worstRank > best ? worst : null;
  }

  /** The target's answer: granted, the home is asked to move the unit; else it stays. */
  private Behavior<Command> onReserved(Reserved r) {
    MoveReservation a = r.answer();
    if (!reserving || !a.unit().equals(movePending)) {
      if (a.granted() && moveTarget != null) {
        moveTarget.tell(new ReleaseMove(a.unit())); // late: the move was given up
      }
      return Behaviors.same();
    }
    reserving = false;
    if (!a.granted()) {
      movePending = null;
      setOutcome(a.unit(), "not moved: " + a.node() + " refused: " + a.reason());
      return Behaviors.same();
    }
    movePendingSince = System.nanoTime();
    ctx.getLog().info("asking home to move job {} to {}", a.unit(), a.node());
    mover.mover().requestMove(a.unit(), a.node(), outcomes);
    return Behaviors.same();
  }

  /** Another balancer asks to send a unit here: check on this node's true state. */
  private Behavior<Command> onMoveAsked(MoveAsked m) {
    ReserveMove r = m.request();
    long now = System.nanoTime();
    LoadSample own = samples.get(selfNode);
    int runnable;
    long held = -1; // memory its units hold now; -1: only the sample knows
    if (mover.local() != null) {
      runnable = mover.local().runnableUnits();
      held = mover.local().unitMemoryBytes();
      // a promised unit that has come counts once, as a unit
      for (UnitLoad u : mover.local().units()) {
        promised.remove(u.jobId());
      }
    } else {
      runnable = own == null ? 0 : own.runnable();
    }
    promised.values().removeIf(p -> now - p.untilNanos() >= 0);
    String no = own == null ? "no load sample of its own yet"
        : !own.acceptingGuests() ? "it takes no guests"
        : null;
    if (no == null && r.home() != null && !r.home().equals(selfNode)
        && mover.local() != null) {
      // a grid's terms: the partner's, and local work first
      List<String> homes = new ArrayList<>();
      for (UnitLoad u : mover.local().units()) {
        homes.add(u.homeNode() == null ? selfNode : u.homeNode());
      }
      no = gridView.refusal(r.home(), homes, runnable + promised.size() >= own.slots());
    }
    if (no == null) {
      int coming = promised.size();
      boolean ushering = r.kind().equals("memory");
      // memory as it is now, less what promised units bring: two senders must not both fill
      // the room one sample showed
      long free = held < 0 ? own.freeMemoryBytes() : own.totalMemoryBytes() - held;
      for (Promise p : promised.values()) {
        free -= p.memoryBytes();
      }
      if (!Admission.admitsMove(runnable + coming, coming, own.speed(), own.slots(),
          Math.max(0, free), own.totalMemoryBytes(), r.memoryBytes(), ushering,
          r.senderRunQueue(), r.senderSpeed(), r.senderSlots(), mover.policy())) {
        no = String.format("%d units here and %d coming on %d slots of speed %.1f;"
                + " the sender has %.1f on %d of speed %.1f", runnable, coming, own.slots(),
            own.speed(), r.senderRunQueue(), r.senderSlots(), r.senderSpeed());
      }
    }
    if (no == null) {
      promised.put(r.unit(), new Promise(now + RESERVATION_NANOS, r.memoryBytes()));
    }
    r.replyTo().tell(new MoveReservation(r.unit(), selfNode, no == null, no == null ? "" : no));
    return Behaviors.same();
  }

  /** After home refuses to move a unit, the balancer leaves it be for this many intervals. */
  private static final int REFUSED_INTERVALS = 10;

  private Behavior<Command> onMoveOutcome(MoveOutcome o) {
    String unit = movePending;
    movePending = null;
    if (unit != null && !o.line().startsWith("moved")) {
      refusedUntil.put(unit, System.nanoTime() + REFUSED_INTERVALS * gossipIntervalNanos);
      // the target holds a place for it: a node that has just joined, which the home does not
      // see Up yet, would otherwise stay half empty for the reservation's 10 s
      release(unit);
    }
    setOutcome(unit, o.line());
    return Behaviors.same();
  }

  private void release(String unit) {
    if (moveTarget != null) {
      moveTarget.tell(new ReleaseMove(unit));
    }
  }

  /** The outcome belongs to the latest move decided for the unit (one at a time). */
  private void setOutcome(String unit, String line) {
    for (int i = decisions.size() - 1; i >= 0; i--) {
      Decision d = decisions.get(i);
      if (d.unit() != null && !d.kind().equals("place") && d.outcome() == null
          && (unit == null || d.unit().equals(unit))) {
        decisions.set(i, d.withOutcome(line));
        break;
      }
    }
  }

  private void record(String kind, String unit, String target, String reason) {
    logHomeStarts();
    keep(new Decision(++decisionSeq, System.currentTimeMillis(), kind, unit, target, reason,
        null));
    // by kind only: the reason is a sentence, too many values for a label
    decisionCounters.computeIfAbsent(kind, k -> io.micrometer.core.instrument.Metrics.counter(
        "drift.decisions", "node", selfNode, "reason", k)).increment();
  }

  private void keep(Decision d) {
    if (decisions.size() >= mover.decisionsKept()) {
      decisions.remove(0);
    }
    decisions.add(d);
  }

  /**
   * Proxies take slots at home once this node is Up and its own load known, as {@link #onPlace}
   * would choose it only then; and no longer once it is not Up (leaving, or removed).
   */
  private void openHomeStarts() {
    if (homeStarts != null) {
      MemberStatus status = cluster.selfMember().status();
      homeStarts.open(samples.get(selfNode) != null
          && (status == MemberStatus.up() || status == MemberStatus.weaklyUp()));
    }
  }

  /** The placements proxies made at home since the last call, into the log (counted there). */
  private void logHomeStarts() {
    if (homeStarts != null) {
      homeStarts.drainTo(d -> keep(new Decision(++decisionSeq, d.atMillis(), d.kind(),
          d.unit(), d.target(), d.reason(), null)));
    }
  }

  /** This node's own sample and the window's, of members that are up and reachable. */
  private List<LoadSample> known() {
    Map<String, Member> up = upMembers();
    List<LoadSample> out = new ArrayList<>();
    LoadSample own = samples.get(selfNode);
    if (own != null && up.containsKey(selfNode)) {
      out.add(own);
    }
    for (GossipWindow.Entry e : window.entries()) {
      if (up.containsKey(e.node())) {
        out.add(e.sample());
      }
    }
    return out;
  }

  private Behavior<Command> onPlace(Place p) {
    List<NodeLoad> candidates = new ArrayList<>();
    List<NodeLoad> partners = new ArrayList<>(); // other clusters' nodes, local first
    Map<String, LoadSample> byNode = new HashMap<>();
    Map<String, Member> up = upMembers();
    io.drift.balancer.grid.PartnerTable grid = gridView.table();
    boolean selfDraining = selfDraining();
    for (LoadSample s : known()) {
      if (p.onlyNode() != null && !s.node().equals(p.onlyNode())) {
        continue;
      }
      if (selfDraining && s.node().equals(selfNode)) {
        continue; // its executor would refuse the job, and home would place it again
      }
      Member m = up.get(s.node());
      String dc = m == null ? null : sendable(grid, m);
      if (dc == null) {
        continue; // a cluster this one sends no jobs to
      }
      byNode.put(s.node(), s);
      Integer seen = p.observed().get(s.node());
      int unseen = seen != null ? 0 : recent(s); // before the run queue: see runQueue
      NodeLoad c = new NodeLoad(s.node(), s.slots(), seen != null ? seen : runQueue(s),
          unseen, s.speed(), s.freeMemoryBytes(), s.acceptingGuests(),
          s.totalMemoryBytes());
      (dc.equals(grid.self()) || p.onlyNode() != null ? candidates : partners).add(c);
    }
    if (!partners.isEmpty() && candidates.stream().noneMatch(
        c -> (c.acceptingGuests() || c.node().equals(selfNode))
            && c.runnable() + c.recentPlacements() < c.slots())) {
      // no free slot here as far as this node knows: the partners of the lowest priority
      // number that have one join the candidates (all of them if none has)
      int best = partners.stream().filter(c -> c.runnable() + c.recentPlacements() < c.slots())
          .mapToInt(c -> grid.priorityOf(up.get(c.node()).dataCenter())).min()
          .orElse(Integer.MAX_VALUE);
      for (NodeLoad c : partners) {
        if (best == Integer.MAX_VALUE
            || grid.priorityOf(up.get(c.node()).dataCenter()) == best) {
          candidates.add(c);
        }
      }
    }
    candidates.sort(Comparator.comparing(NodeLoad::node));
    PlacementDecision d = policy.place(
        new PlacementRequest(p.jobId().value(), selfNode, p.memoryMb(), p.excluded()), candidates);
    if (DEBUG.isDebugEnabled()) { // getLog sets the MDC at each call, and this is per job
      ctx.getLog().debug("placement of job {}: {} {}", p.jobId(), d.reason(), d.candidates());
    }
    record("place", p.jobId().value(), d.chosen().orElse(null), d.reason());
    if (d.chosen().isPresent()) {
      LoadSample target = byNode.get(d.chosen().get());
      NodeLoad believed = candidates.stream().filter(c -> c.node().equals(target.node()))
          .findFirst().orElseThrow();
      recent.placed(target.node(), admitted(target), System.nanoTime());
      p.replyTo().tell(new Placed(p.jobId(), target.node(), target.executorPath(),
          believed.runnable() + believed.recentPlacements(), d));
    } else {
      p.replyTo().tell(new Unplaceable(p.jobId(), d));
    }
    return Behaviors.same();
  }

  private int room() {
    Map<String, Member> up = upMembers();
    io.drift.balancer.grid.PartnerTable grid = gridView.table();
    boolean selfDraining = selfDraining();
    int free = 0;
    for (LoadSample s : known()) {
      Member m = up.get(s.node());
      if (m == null || sendable(grid, m) == null
          || !(s.acceptingGuests() || s.node().equals(selfNode) && !selfDraining)) {
        continue;
      }
      int unseen = recent(s); // before the run queue: see runQueue
      free += Math.max(0, s.slots() - runQueue(s) - unseen);
    }
    return free;
  }

  /**
   * Whether this node drains now, read from its executor: its sample says only that it takes
   * no guests, which a node that keeps running its own jobs says too.
   */
  private boolean selfDraining() {
    return mover.local() != null && mover.local().draining();
  }

  private int recent(LoadSample s) {
    return recent.unseen(s.node(), admitted(s), System.nanoTime());
  }

  /**
   * {@code s}'s run queue: its sample's, or this node's executor's now ({@link #liveHome}).
   * Read live, it must come after {@link #recent}: the executor counts a unit in its run queue
   * before it counts it admitted, so read in that order a placement is counted once or twice,
   * never not at all (which made a full home look free in a test).
   */
  private int runQueue(LoadSample s) {
    if (!live(s)) {
      return s.runnable();
    }
    // slots taken at home before the run queue, for the same reason as recent (HomeStarts)
    int taken = homeStarts == null ? 0 : homeStarts.outstanding();
    return mover.local().runnableUnits() + taken;
  }

  /**
   * {@code s}'s count of units ever admitted, from the same source as {@link #runQueue}: the
   * placements {@link #recent} counts are judged against one counter per node, never both.
   */
  private long admitted(LoadSample s) {
    return live(s) ? mover.local().admitted() : s.admitted();
  }

  private boolean live(LoadSample s) {
    return liveHome && s.node().equals(selfNode);
  }

  private Map<String, Member> upMembers() {
    Map<String, Member> up = new HashMap<>();
    Set<Member> unreachable = new HashSet<>();
    cluster.state().getUnreachable().forEach(unreachable::add);
    for (Member m : cluster.state().getMembers()) {
      if ((m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp())
          && !unreachable.contains(m)) {
        up.put(NodeNames.of(m.address()), m);
      }
    }
    return up;
  }

  private Behavior<Command> onGetNodes(GetNodes g) {
    long now = System.nanoTime();
    ClusterEvent.CurrentClusterState state = cluster.state();
    Map<String, Member> members = new HashMap<>();
    state.getMembers().forEach(m -> members.put(NodeNames.of(m.address()), m));
    Set<String> unreachable = new HashSet<>();
    state.getUnreachable().forEach(m -> unreachable.add(NodeNames.of(m.address())));
    Map<String, Integer> ages = new HashMap<>();
    window.entries().forEach(e -> ages.put(e.node(), e.age()));
    List<NodeStatus> out = new ArrayList<>();
    samples.values().stream().sorted(Comparator.comparing(LoadSample::node)).forEach(s -> {
      Member m = members.get(s.node());
      out.add(new NodeStatus(s, m == null ? "Removed" : m.status().toString(),
          !unreachable.contains(s.node()),
          (now - receivedAtNanos.getOrDefault(s.node(), now)) / 1_000_000L, recent(s),
          s.node().equals(selfNode) ? 0 : ages.getOrDefault(s.node(), -1)));
    });
    g.replyTo().tell(new Nodes(out));
    return Behaviors.same();
  }
}
