package io.drift.balancer.sim;

import io.drift.balancer.RecentPlacements;
import io.drift.balancer.gossip.GossipSim;
import io.drift.balancer.grid.PartnerTable;
import io.drift.balancer.policy.Admission;
import io.drift.balancer.policy.LocalView;
import io.drift.balancer.policy.MigrationDecision;
import io.drift.balancer.policy.MigrationPolicy;
import io.drift.balancer.policy.MosixRule;
import io.drift.balancer.policy.NodeLoad;
import io.drift.balancer.policy.OpportunityCostPolicy;
import io.drift.balancer.policy.PeerView;
import io.drift.balancer.policy.PlacementDecision;
import io.drift.balancer.policy.PlacementRequest;
import io.drift.balancer.policy.PolicyConfig;
import io.drift.balancer.policy.SmoothedLoad;
import io.drift.balancer.policy.UnitView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A discrete-event simulation of a Drift cluster that calls the same policy code and gossip as
 * the balancer: {@link OpportunityCostPolicy} to place, {@link MigrationPolicy} to move, each
 * node's view being its gossip window ({@link GossipSim}, one message per node per interval,
 * entries carrying the {@link SmoothedLoad} exported load), corrected by the node's own recent
 * placements and moves ({@link RecentPlacements}), with the target's reserve-or-refuse check.
 *
 * <p>Nodes are time-shared: a node of speed s with c slots and r runnable units gives each unit
 * s·min(1, c/r) reference-speed seconds per second. A move stops the unit for its state size
 * over the bandwidth plus a fixed part. Time is in seconds; one gossip interval and one
 * decision tick every {@link Setup#interval}.
 */
public final class ClusterSim {

  /** How jobs are placed, and whether they move afterwards. */
  public enum Strategy {
    /** Best node by opportunity cost, then MOSIX migration. */
    DRIFT(true, true),
    /** Best node by opportunity cost, never moved (cost-based placement, no migration). */
    PLACEMENT_ONLY(true, false),
    /** Started at home, then MOSIX migration. */
    MIGRATION_ONLY(false, true),
    /** Stays at home. */
    HOME(false, false),
    /** A uniformly random node. */
    RANDOM(false, false),
    /** Node after node, across the cluster. */
    ROUND_ROBIN(false, false);

    final boolean scores;
    final boolean migrates;

    Strategy(boolean scores, boolean migrates) {
      this.scores = scores;
      this.migrates = migrates;
    }

    boolean gossips() {
      return scores || migrates;
    }
  }

  /**
   * @param speeds each node's speed (1.0 = reference)
   * @param slots slots per node
   * @param memoryBytes each node's memory
   * @param window W, the freshest entries each gossip message carries
   * @param interval seconds between gossip messages and decision ticks
   * @param placementSample entries of the node's vector, beside its window, a placement looks at
   * @param samplesPerInterval load samples each node smooths per interval, as its
   *     {@code LoadMonitor} does ({@code drift.load.interval} against the gossip interval)
   */
  public record Setup(double[] speeds, int slots, long[] memoryBytes, int window, double interval,
      PolicyConfig policy, int placementSample, long seed, int samplesPerInterval) {

    /** The nodes' defaults: a load sample every 250 ms, gossip every second. */
    public static final int SAMPLES_PER_INTERVAL = 4;

    public Setup {
      if (samplesPerInterval < 1) {
        throw new IllegalArgumentException("samplesPerInterval >= 1, got " + samplesPerInterval);
      }
    }

    public Setup(double[] speeds, int slots, long[] memoryBytes, int window, double interval,
        PolicyConfig policy, int placementSample, long seed) {
      this(speeds, slots, memoryBytes, window, interval, policy, placementSample, seed,
          SAMPLES_PER_INTERVAL);
    }

    public int nodes() {
      return speeds.length;
    }

    /** Speed of every slot, for the yardsticks. */
    public double[] slotSpeeds() {
      double[] s = new double[speeds.length * slots];
      for (int i = 0; i < s.length; i++) {
        s[i] = speeds[i / slots];
      }
      return s;
    }

    public double capacity() {
      return Arrays.stream(speeds).sum() * slots;
    }

    /** Nodes of speeds 1, 2 and 4 in turn, the same memory each. */
    public static Setup mixed(int nodes, int slots, long memoryBytes, int window,
        PolicyConfig policy, long seed) {
      double[] speeds = new double[nodes];
      for (int i = 0; i < nodes; i++) {
        speeds[i] = new double[] {1, 2, 4}[i % 3];
      }
      long[] mem = new long[nodes];
      Arrays.fill(mem, memoryBytes);
      return new Setup(speeds, slots, mem, window, 1.0, policy, 16, seed);
    }
  }

  /** What a node tells the others, once per interval. Immutable. */
  record Sample(double runQueue, int runnable, long admitted, long freeMemoryBytes) {}

  /**
   * @param finish each job's finish time
   * @param moves migrations over all jobs
   * @param refused moves the target refused at reserve time
   * @param decisions migration decisions taken (moved or not)
   */
  public record Result(Strategy strategy, double[] finish, long moves, long refused,
      long decisions, double wallSeconds) {

    public double makespan() {
      return Arrays.stream(finish).max().orElse(0);
    }

    /** Mean of (finish − arrival) / (size / fastest speed): 1 is a job alone on the fastest. */
    public double meanSlowdown(Workload.Trace t, double fastest) {
      return ClusterSim.meanSlowdown(finish, t, fastest);
    }
  }

  public static double meanSlowdown(double[] finish, Workload.Trace t, double fastest) {
    double sum = 0;
    for (int j = 0; j < finish.length; j++) {
      sum += (finish[j] - t.arrival()[j]) / (t.size()[j] / fastest);
    }
    return sum / finish.length;
  }

  private static final int COMPLETE = 0;
  private static final int LAND = 1;

  private record Event(double time, int kind, int a, long b) {}

  private final Setup setup;
  private final Workload.Trace trace;
  private final Strategy strategy;
  private final PolicyConfig cfg;
  private final OpportunityCostPolicy placement;
  private final SplittableRandom random;
  private final int n;
  private final String[] names;
  private GossipSim gossip; // one cluster: every node's; a grid: null, see clusterGossip
  private final boolean gossips;
  // a grid of clusters (withGrid): each cluster gossips inside itself, and offers its partners
  // a few entries per interval
  private Grid grid;
  private GossipSim[] clusterGossip;
  private int[][] members;
  private int[] localIndex;
  private int[][] crossNodes; // per cluster: the partners' nodes it heard of this interval
  private int[][] guestsIn; // [cluster][home cluster]: units there whose home is elsewhere
  private boolean[] counted; // a unit on its way across, counted as a guest where it goes
  private Sample[][] crossSamples;
  private long crossMoves;
  private long crossPlacements;
  private double crossBytes;
  private long crossEntriesSent;
  private final PriorityQueue<Event> events =
      new PriorityQueue<>((x, y) -> Double.compare(x.time, y.time));
  // nodes
  private final int[][] units;
  private final int[] count;
  private final double[] last;
  private final long[] usedMemory;
  private final SmoothedLoad[] smoothed;
  private final long[] admitted;
  private final int[] incoming;
  private final long[] version;
  private final RecentPlacements[] recent;
  // jobs
  private final double[] remaining;
  private final double[] cpu;
  private final double[] arrivedAt;
  private final double[] finish;
  private final String[] jobNames;
  private long moves;
  private long refused;
  private long decisions;
  private int roundRobin;
  private double now;
  private Consumer<MigrationDecision> decisionLog = d -> { };
  private Observer observer = (t, job, node, sim) -> { };

  /** Told of every unit that starts or lands on a node, after it did. For tests. */
  public interface Observer {
    void landed(double time, int job, int node, ClusterSim sim);
  }

  public ClusterSim observe(Observer o) {
    this.observer = o;
    return this;
  }

  /** Units running or waiting at node i. */
  public int runQueue(int i) {
    return count[i];
  }

  /** Bytes the units at node i hold. */
  public long usedMemory(int i) {
    return usedMemory[i];
  }

  /** Transfers to node i reserved and not landed. */
  public int coming(int i) {
    return incoming[i];
  }

  public ClusterSim(Setup setup, Workload.Trace trace, Strategy strategy) {
    this.setup = setup;
    this.trace = trace;
    this.strategy = strategy;
    this.cfg = setup.policy();
    this.placement = new OpportunityCostPolicy(cfg);
    this.random = new SplittableRandom(setup.seed());
    this.n = setup.nodes();
    this.names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = "n" + i;
    }
    this.gossips = strategy.gossips();
    this.gossip = gossips
        ? new GossipSim(n, Math.min(setup.window(), n - 1), setup.seed() + 1, n,
            cfg.maxAgeIntervals() + 1)
        : null;
    this.units = new int[n][4];
    this.count = new int[n];
    this.last = new double[n];
    this.usedMemory = new long[n];
    this.smoothed = new SmoothedLoad[n];
    Arrays.fill(smoothed, SmoothedLoad.of(0));
    this.admitted = new long[n];
    this.incoming = new int[n];
    this.version = new long[n];
    this.recent = new RecentPlacements[n];
    int jobs = trace.jobs();
    this.remaining = trace.size().clone();
    this.cpu = new double[jobs];
    this.arrivedAt = new double[jobs];
    this.finish = new double[jobs];
    this.jobNames = new String[jobs];
  }

  /** Every migration decision, as it is taken (for tests). */
  public ClusterSim onDecision(Consumer<MigrationDecision> log) {
    this.decisionLog = log;
    return this;
  }

  public Result run() {
    long t0 = System.nanoTime();
    if (gossips) {
      for (int i = 0; i < n; i++) {
        gossipOf(i).publish(local(i), sample(i));
      }
      offerAcross();
    }
    int next = 0;
    int jobs = trace.jobs();
    int done = 0;
    int perInterval = setup.samplesPerInterval();
    double sampleStep = setup.interval() / perInterval;
    int samples = 0;
    double nextTick = sampleStep;
    while (done < jobs) {
      double tEvent = events.isEmpty() ? Double.POSITIVE_INFINITY : events.peek().time;
      double tArrive = next < jobs ? trace.arrival()[next] : Double.POSITIVE_INFINITY;
      if (tEvent <= tArrive && tEvent <= nextTick) {
        Event e = events.poll();
        now = e.time;
        if (e.kind == COMPLETE) {
          if (e.b == version[e.a]) {
            done += complete(e.a);
          }
        } else {
          land(e.a, (int) e.b);
        }
      } else if (tArrive <= nextTick) {
        now = tArrive;
        arrive(next++);
      } else {
        now = nextTick;
        sampleLoads();
        if (++samples % perInterval == 0) {
          tick();
        }
        nextTick = (samples + 1) * sampleStep;
      }
    }
    return new Result(strategy, finish, moves, refused, decisions,
        (System.nanoTime() - t0) / 1e9);
  }

  // --- a grid of clusters (issue 8)

  /**
   * Several clusters in one grid: each node belongs to a cluster ({@code clusterOf}, named
   * {@code c0}, {@code c1}...); inside a cluster nodes gossip as in one cluster, and every
   * interval each cluster offers its {@code crossEntries} least loaded nodes to each partner
   * whose jobs it takes. Each cluster's {@link PartnerTable} says where its jobs may go, whose
   * it takes and how many, and in which order (priority). A node places and moves work to a
   * partner's node only when its own cluster has no better place (local first), partners of
   * lower priority number first, and a state crosses at {@code crossBandwidthBytesPerSecond},
   * which the policy weighs.
   */
  public record Grid(int[] clusterOf, PartnerTable[] tables, double crossBandwidthBytesPerSecond,
      int crossEntries) {

    /** Every cluster a partner of every other ({@code share}), or each alone. */
    public Grid(int[] clusterOf, boolean share, double crossBandwidthBytesPerSecond,
        int crossEntries) {
      this(clusterOf, tables(clusterOf, share), crossBandwidthBytesPerSecond, crossEntries);
    }

    private static PartnerTable[] tables(int[] clusterOf, boolean share) {
      int clusters = Arrays.stream(clusterOf).max().orElse(-1) + 1;
      List<String> all = new ArrayList<>();
      for (int c = 0; c < clusters; c++) {
        all.add(name(c));
      }
      PartnerTable[] t = new PartnerTable[clusters];
      for (int c = 0; c < clusters; c++) {
        t[c] = share ? PartnerTable.sharingWith(name(c), all) : PartnerTable.alone(name(c));
      }
      return t;
    }

    /** Cluster {@code c}'s name in the partner tables. */
    public static String name(int c) {
      return "c" + c;
    }

    /** {@code clusters} clusters of {@code size} nodes each, in order. */
    public static int[] blocks(int clusters, int size) {
      int[] of = new int[clusters * size];
      for (int i = 0; i < of.length; i++) {
        of[i] = i / size;
      }
      return of;
    }

    public int clusters() {
      return Arrays.stream(clusterOf).max().orElse(-1) + 1;
    }

    boolean shares() {
      return Arrays.stream(tables).anyMatch(t -> !t.partners().isEmpty());
    }
  }

  /**
   * What crossed between clusters: placements and moves of units, the state bytes they
   * carried, and the gossip entries offered.
   */
  public record CrossTraffic(long placements, long moves, double stateBytes, long gossipEntries) {}

  public CrossTraffic crossTraffic() {
    return new CrossTraffic(crossPlacements, crossMoves, crossBytes, crossEntriesSent);
  }

  /** Runs this simulation as a grid; before {@link #run}. */
  public ClusterSim withGrid(Grid g) {
    if (g.clusterOf().length != n) {
      throw new IllegalArgumentException("clusterOf has " + g.clusterOf().length
          + " entries for " + n + " nodes");
    }
    this.grid = g;
    int clusters = g.clusters();
    if (g.tables().length != clusters) {
      throw new IllegalArgumentException(g.tables().length + " partner tables for " + clusters
          + " clusters");
    }
    guestsIn = new int[clusters][clusters];
    counted = new boolean[trace.jobs()];
    int[] sizes = new int[clusters];
    for (int c : g.clusterOf()) {
      sizes[c]++;
    }
    members = new int[clusters][];
    localIndex = new int[n];
    for (int c = 0; c < clusters; c++) {
      members[c] = new int[sizes[c]];
      sizes[c] = 0;
    }
    for (int i = 0; i < n; i++) {
      int c = g.clusterOf()[i];
      localIndex[i] = sizes[c];
      members[c][sizes[c]++] = i;
    }
    crossNodes = new int[clusters][0];
    crossSamples = new Sample[clusters][0];
    if (gossips) {
      gossip = null;
      clusterGossip = new GossipSim[clusters];
      for (int c = 0; c < clusters; c++) {
        int size = members[c].length;
        clusterGossip[c] = new GossipSim(size, Math.max(1, Math.min(setup.window(), size - 1)),
            setup.seed() + 1 + c, size, cfg.maxAgeIntervals() + 1);
      }
    }
    return this;
  }

  private GossipSim gossipOf(int i) {
    return grid == null ? gossip : clusterGossip[grid.clusterOf()[i]];
  }

  private int local(int i) {
    return grid == null ? i : localIndex[i];
  }

  /** Node {@code k} (local numbering) of node {@code i}'s cluster. */
  private int global(int i, int k) {
    return grid == null ? k : members[grid.clusterOf()[i]][k];
  }

  private int clusterSize(int i) {
    return grid == null ? n : members[grid.clusterOf()[i]].length;
  }

  private boolean crosses(int from, int to) {
    return grid != null && grid.clusterOf()[from] != grid.clusterOf()[to];
  }

  /**
   * Each cluster offers its least loaded nodes, as they last published, to each partner that
   * may send it jobs and whose jobs it takes now; partners of the lowest priority number come
   * first in what a cluster hears.
   */
  private void offerAcross() {
    if (grid == null || !grid.shares()) {
      return;
    }
    int clusters = members.length;
    int[][] offers = new int[clusters][];
    for (int c = 0; c < clusters; c++) {
      Integer[] order = Arrays.stream(members[c]).boxed().toArray(Integer[]::new);
      Arrays.sort(order, (a, b) -> Double.compare(load(a), load(b)));
      int k = Math.min(grid.crossEntries(), order.length);
      offers[c] = new int[k];
      for (int e = 0; e < k; e++) {
        offers[c][e] = order[e];
      }
    }
    for (int c = 0; c < clusters; c++) {
      List<Integer> heard = new ArrayList<>();
      PartnerTable mine = grid.tables()[c];
      for (String partner : mine.sendOrder()) {
        int d = Integer.parseInt(partner.substring(1));
        if (d < clusters && grid.tables()[d].takesFrom(Grid.name(c), guestsIn[d][c])) {
          for (int j : offers[d]) {
            heard.add(j);
          }
          crossEntriesSent += offers[d].length;
        }
      }
      crossNodes[c] = heard.stream().mapToInt(Integer::intValue).toArray();
      crossSamples[c] = new Sample[crossNodes[c].length];
      for (int e = 0; e < crossNodes[c].length; e++) {
        crossSamples[c][e] = sample(crossNodes[c][e]);
      }
    }
  }

  /** A node's load as it exports it: run queue per slot per unit of speed. */
  private double load(int i) {
    return smoothed[i].exported() / (setup.speeds()[i] * setup.slots());
  }

  // --- the nodes' run queues

  private double rate(int i) {
    return setup.speeds()[i] * Math.min(1.0, (double) setup.slots() / count[i]);
  }

  /** Brings node i's units up to now. */
  private void advance(int i) {
    int c = count[i];
    if (c > 0 && now > last[i]) {
      double d = rate(i) * (now - last[i]);
      int[] u = units[i];
      for (int k = 0; k < c; k++) {
        remaining[u[k]] -= d;
        cpu[u[k]] += d;
      }
    }
    last[i] = now;
  }

  private void schedule(int i) {
    version[i]++;
    int c = count[i];
    if (c == 0) {
      return;
    }
    double least = Double.POSITIVE_INFINITY;
    for (int k = 0; k < c; k++) {
      least = Math.min(least, remaining[units[i][k]]);
    }
    events.add(new Event(now + Math.max(0, least) / rate(i), COMPLETE, i, version[i]));
  }

  private void add(int i, int job) {
    advance(i);
    if (count[i] == units[i].length) {
      units[i] = Arrays.copyOf(units[i], 2 * count[i]);
    }
    units[i][count[i]++] = job;
    usedMemory[i] += trace.memoryBytes()[job];
    if (counted != null && counted[job]) {
      counted[job] = false; // counted when it set out across, so a limit holds in transit
    } else {
      guests(i, job, +1);
    }
    admitted[i]++;
    arrivedAt[job] = now;
    schedule(i);
    observer.landed(now, job, i, this);
  }

  private void remove(int i, int job) {
    advance(i);
    int[] u = units[i];
    for (int k = 0; k < count[i]; k++) {
      if (u[k] == job) {
        u[k] = u[--count[i]];
        break;
      }
    }
    usedMemory[i] -= trace.memoryBytes()[job];
    guests(i, job, -1);
    schedule(i);
  }

  private int complete(int i) {
    advance(i);
    int done = 0;
    int[] u = units[i];
    for (int k = 0; k < count[i]; ) {
      int job = u[k];
      if (remaining[job] <= 1e-9 * trace.size()[job]) {
        finish[job] = now;
        usedMemory[i] -= trace.memoryBytes()[job];
        guests(i, job, -1);
        u[k] = u[--count[i]];
        done++;
      } else {
        k++;
      }
    }
    schedule(i);
    return done;
  }

  // --- arrivals and placement

  private void arrive(int job) {
    int home = trace.home()[job];
    jobNames[job] = "j" + job;
    int target = switch (strategy) {
      case HOME, MIGRATION_ONLY -> home;
      case RANDOM -> random.nextInt(n);
      case ROUND_ROBIN -> roundRobin++ % n;
      case DRIFT, PLACEMENT_ONLY -> place(job, home);
    };
    if (crosses(home, target)) {
      // the unit's state crosses the slower link before it starts there
      crossPlacements++;
      crossBytes += trace.stateBytes()[job];
      guests(target, job, +1);
      counted[job] = true;
      incoming[target]++;
      events.add(new Event(now + MosixRule.moveCostSeconds(trace.stateBytes()[job],
          grid.crossBandwidthBytesPerSecond(), cfg.fixedMoveSeconds()), LAND, job, target));
      return;
    }
    add(target, job);
  }

  private int place(int job, int home) {
    List<NodeLoad> candidates = new ArrayList<>(setup.window() + setup.placementSample() + 1);
    List<Sample> seen = new ArrayList<>(candidates.size());
    candidates.add(new NodeLoad(names[home], setup.slots(), count[home] + incoming[home], 0,
        setup.speeds()[home], freeMemory(home), true, setup.memoryBytes()[home]));
    seen.add(null);
    GossipSim g = gossipOf(home);
    for (int k = 0; k < g.window(); k++) {
      addCandidate(home, global(home, g.windowNode(local(home), k)),
          g.windowBorn(local(home), k), candidates, seen);
    }
    for (int k = 0; k < setup.placementSample(); k++) {
      int j = global(home, random.nextInt(clusterSize(home)));
      if (j != home) {
        addCandidate(home, j, g.born(local(home), local(j)), candidates, seen);
      }
    }
    if (grid != null && crossNodes[grid.clusterOf()[home]].length > 0) {
      // local first: a partner's node is a candidate only when no node here has a free slot
      // as far as this node knows; then the partners of the lowest priority number that have
      // one, else all it heard of
      boolean room = false;
      for (NodeLoad c : candidates) {
        room |= c.runnable() + c.recentPlacements() < c.slots();
      }
      if (!room) {
        int c = grid.clusterOf()[home];
        int best = Integer.MAX_VALUE;
        for (int e = 0; e < crossNodes[c].length; e++) {
          if (crossSamples[c][e].runnable() < setup.slots()) {
            best = Math.min(best, priority(c, crossNodes[c][e]));
          }
        }
        for (int e = 0; e < crossNodes[c].length; e++) {
          int j = crossNodes[c][e];
          if (best != Integer.MAX_VALUE && priority(c, j) != best) {
            continue;
          }
          Sample s = crossSamples[c][e];
          candidates.add(new NodeLoad(names[j], setup.slots(), s.runnable(),
              recentOf(home).unseen(names[j], s.admitted(), nanos()), setup.speeds()[j],
              s.freeMemoryBytes(), true, setup.memoryBytes()[j]));
          seen.add(s);
        }
      }
    }
    long memMb = trace.memoryBytes()[job] >> 20;
    for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
      PlacementDecision d = placement.place(
          new PlacementRequest(jobNames[job], names[home], memMb, Set.of()), candidates);
      if (d.chosen().isEmpty()) {
        return home; // nowhere fits: it waits at home, as a user's job would
      }
      String chosen = d.chosen().get();
      int target = index(chosen);
      if (target == home) {
        return home;
      }
      int k = 0;
      while (!candidates.get(k).node().equals(chosen)) {
        k++;
      }
      NodeLoad believed = candidates.get(k);
      if (takes(target, job, home) && (attempt == PLACEMENT_ATTEMPTS - 1
          ? Admission.holds(freeMemory(target), setup.memoryBytes()[target],
              trace.memoryBytes()[job], cfg)
          : admits(target, job, believed))) {
        recentOf(home).placed(chosen, seen.get(k).admitted(), nanos());
        return target;
      }
      refused++;
      // the refusal carries the target's run queue: score it again with the truth
      candidates.set(k, new NodeLoad(chosen, setup.slots(), count[target] + incoming[target], 0,
          setup.speeds()[target], freeMemory(target), true, setup.memoryBytes()[target]));
    }
    return home;
  }

  /** The partner priority of node j's cluster for cluster c. */
  private int priority(int c, int j) {
    return grid.tables()[c].priorityOf(Grid.name(grid.clusterOf()[j]));
  }

  /**
   * Node {@code target}'s cluster takes {@code job} now, by both tables: the job's home cluster
   * may send there, and the target's cluster takes its guests and has room for one more.
   */
  private boolean takes(int target, int job, int from) {
    if (grid == null) {
      return true;
    }
    int h = grid.clusterOf()[trace.home()[job]];
    int t = grid.clusterOf()[target];
    if (h == t || grid.clusterOf()[from] == t) {
      return true; // home, or a move inside the cluster that holds it (counted there already)
    }
    return grid.tables()[h].maySendTo(Grid.name(t))
        && grid.tables()[t].takesFrom(Grid.name(h), guestsIn[t][h]);
  }

  /** A unit arrives at ({@code +1}) or leaves ({@code -1}) node i: its cluster's guest count. */
  private void guests(int i, int job, int delta) {
    if (grid != null) {
      int t = grid.clusterOf()[i];
      int h = grid.clusterOf()[trace.home()[job]];
      if (t != h) {
        guestsIn[t][h] += delta;
      }
    }
  }

  /** Units whose home is in cluster {@code home} at nodes of cluster {@code at} now. */
  public int guestsIn(int at, int home) {
    return guestsIn[at][home];
  }

  /** Tries of a placement before the job starts at home. */
  static final int PLACEMENT_ATTEMPTS = Admission.PLACEMENT_TRIES;

  private boolean admits(int target, int job, NodeLoad believed) {
    return Admission.admitsPlacement(count[target] + incoming[target],
        believed.runnable() + believed.recentPlacements(), freeMemory(target),
        setup.memoryBytes()[target], trace.memoryBytes()[job], cfg);
  }

  private void addCandidate(int home, int j, int born, List<NodeLoad> out, List<Sample> seen) {
    Sample s = (Sample) gossipOf(j).sampleOf(local(j), born);
    if (s == null) {
      return; // older than any decision uses
    }
    int unseen = recentOf(home).unseen(names[j], s.admitted(), nanos());
    out.add(new NodeLoad(names[j], setup.slots(), s.runnable(), unseen, setup.speeds()[j],
        s.freeMemoryBytes(), true, setup.memoryBytes()[j]));
    seen.add(s);
  }

  // --- gossip and migration, once per interval

  /**
   * Every node smooths its run queue at each load sample, as its {@code LoadMonitor} does: the
   * exported load's slow decay is counted in samples, not in gossip intervals.
   */
  private void sampleLoads() {
    if (!gossips) {
      return;
    }
    for (int i = 0; i < n; i++) {
      smoothed[i] = smoothed[i].next(count[i] + incoming[i]);
    }
  }

  private void tick() {
    if (!gossips) {
      return;
    }
    for (int i = 0; i < n; i++) {
      gossipOf(i).publish(local(i), sample(i));
    }
    if (grid == null) {
      gossip.advance();
    } else {
      for (GossipSim g : clusterGossip) {
        g.advance();
      }
      offerAcross();
    }
    if (!strategy.migrates) {
      return;
    }
    int start = random.nextInt(n);
    for (int k = 0; k < n; k++) {
      int i = (start + k) % n;
      if (count[i] > 0) {
        decide(i);
      }
    }
  }

  private Sample sample(int i) {
    return new Sample(smoothed[i].exported(), count[i] + incoming[i], admitted[i], freeMemory(i));
  }

  private void decide(int i) {
    advance(i); // rates do not change: no reschedule
    List<UnitView> us = new ArrayList<>(count[i]);
    for (int k = 0; k < count[i]; k++) {
      int job = units[i][k];
      us.add(new UnitView(jobNames[job], cpu[job], trace.stateBytes()[job],
          trace.memoryBytes()[job], now - arrivedAt[job], false, trace.home()[job] != i));
    }
    LocalView local = new LocalView(names[i], setup.speeds()[i], setup.slots(),
        smoothed[i].local(), count[i], freeMemory(i), setup.memoryBytes()[i], us);
    GossipSim g = gossipOf(i);
    int crossing = grid != null ? crossNodes[grid.clusterOf()[i]].length : 0;
    List<PeerView> window = new ArrayList<>(g.window() + crossing);
    java.util.Map<String, Long> seenAdmitted = new java.util.HashMap<>();
    for (int k = 0; k < g.window(); k++) {
      int j = global(i, g.windowNode(local(i), k));
      int born = g.windowBorn(local(i), k);
      Sample s = (Sample) g.sampleOf(local(j), born);
      if (s == null) {
        continue;
      }
      int unseen = recentOf(i).unseen(names[j], s.admitted(), nanos());
      double speed = setup.speeds()[j];
      seenAdmitted.put(names[j], s.admitted());
      window.add(new PeerView(names[j], speed, setup.slots(), s.runQueue() + unseen,
          s.freeMemoryBytes(), setup.memoryBytes()[j], true, g.step() - born));
    }
    MigrationDecision d = MigrationPolicy.decide(local, window, cfg, random);
    if (!d.moves() && crossing > 0) {
      // local first: the partners' offers, over their slower link, only when no node here
      // will, a priority at a time, lowest number first
      int c = grid.clusterOf()[i];
      java.util.TreeSet<Integer> levels = new java.util.TreeSet<>();
      for (int e = 0; e < crossing; e++) {
        levels.add(priority(c, crossNodes[c][e]));
      }
      for (int level : levels) {
        // this priority's offers alone: the local nodes were asked above, and a lower priority
        // must not win a draw against a higher one
        List<PeerView> offers = new ArrayList<>(crossing);
        for (int e = 0; e < crossing; e++) {
          int j = crossNodes[c][e];
          if (priority(c, j) != level) {
            continue;
          }
          Sample s = crossSamples[c][e];
          int unseen = recentOf(i).unseen(names[j], s.admitted(), nanos());
          seenAdmitted.put(names[j], s.admitted());
          offers.add(new PeerView(names[j], setup.speeds()[j], setup.slots(),
              s.runQueue() + unseen, s.freeMemoryBytes(), setup.memoryBytes()[j], true, 1,
              grid.crossBandwidthBytesPerSecond()));
        }
        d = MigrationPolicy.decide(local, offers, cfg, random);
        if (d.moves()) {
          break;
        }
      }
    }
    decisions++;
    decisionLog.accept(d);
    if (!d.moves()) {
      return;
    }
    int target = index(d.target());
    int job = Integer.parseInt(d.unit().substring(1));
    if (!takes(target, job, i) || !reserve(target, job, d, local)) {
      refused++;
      return;
    }
    Long seen = seenAdmitted.get(d.target());
    if (seen != null) {
      recentOf(i).placed(d.target(), seen, nanos());
    }
    remove(i, job);
    incoming[target]++;
    moves++;
    if (crosses(i, target)) {
      crossMoves++;
      crossBytes += trace.stateBytes()[job];
    }
    if (grid != null) {
      // a guest where it goes from now on, in transit too, so that a limit holds
      guests(target, job, +1);
      counted[job] = true;
    }
    events.add(new Event(now + d.costSeconds(), LAND, job, target));
  }

  private boolean reserve(int target, int job, MigrationDecision d, LocalView source) {
    return Admission.admitsMove(count[target] + incoming[target], incoming[target],
        setup.speeds()[target], setup.slots(), freeMemory(target), setup.memoryBytes()[target],
        trace.memoryBytes()[job], d.kind().equals("memory"), source.localRunQueue(),
        source.speed(), source.slots(), cfg);
  }

  private void land(int job, int target) {
    incoming[target]--;
    add(target, job);
  }

  private long freeMemory(int i) {
    return setup.memoryBytes()[i] - usedMemory[i];
  }

  private RecentPlacements recentOf(int i) {
    if (recent[i] == null) {
      recent[i] = new RecentPlacements((long) (5 * setup.interval() * 1e9));
    }
    return recent[i];
  }

  private long nanos() {
    return (long) (now * 1e9);
  }

  private static int index(String name) {
    return Integer.parseInt(name, 1, name.length(), 10);
  }
}
