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
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Decides where new jobs run. Gathers the nodes' samples from Distributed Data, corrects them for
 * its own placements since they were taken, and asks the {@link PlacementPolicy}. The gossip
 * window and migration decisions of MOSIX will live here too.
 */
public final class Balancer {

  public sealed interface Command {}

  /** Choose a node for this job; the home asks its own node's balancer. */
  public record Place(JobId jobId, long memoryMb, Set<String> excluded, ActorRef<PlaceReply> replyTo)
      implements Command {}

  public sealed interface PlaceReply {
    JobId jobId();

    PlacementDecision decision();
  }

  public record Placed(JobId jobId, String node, String executorPath, PlacementDecision decision)
      implements PlaceReply {}

  public record Unplaceable(JobId jobId, PlacementDecision decision) implements PlaceReply {}

  /** Where is this node's executor? For moves a user asks for by node name. */
  public record Locate(String node, ActorRef<Location> replyTo) implements Command {}

  /** {@code executorPath} is null, and {@code problem} says why, when the node can't be used. */
  public record Location(String node, String executorPath, String problem) {}

  /** The nodes this balancer knows, with their latest samples. */
  public record GetNodes(ActorRef<Nodes> replyTo) implements Command {}

  public record Nodes(List<NodeStatus> nodes) {}

  /**
   * @param ageMillis time since this node received the sample (local clock; no clock sync)
   * @param recentPlacements this node's placements there that the sample does not show yet
   */
  public record NodeStatus(LoadSample sample, String memberStatus, boolean reachable,
      long ageMillis, int recentPlacements) {}

  private record SamplesChanged(Map<String, LoadSample> samples) implements Command {}


  public static Behavior<Command> create(
      LoadSettings settings, PlacementPolicy policy, String selfNode) {
    return Behaviors.setup(ctx -> DistributedData.<Command, LWWMap<String, LoadSample>>
        withReplicatorMessageAdapter(ddata -> {
          ddata.subscribe(LoadMonitor.KEY, rsp -> rsp instanceof Replicator.Changed<?> changed
              ? new SamplesChanged(Map.copyOf(
                  ((LWWMap<String, LoadSample>) changed.dataValue()).getEntries()))
              : new SamplesChanged(Map.of()));
          return new Balancer(ctx, settings, policy, selfNode).behavior();
        }));
  }

  private final ActorContext<Command> ctx;
  private final PlacementPolicy policy;
  private final String selfNode;
  private final Cluster cluster;
  private final Map<String, LoadSample> samples = new HashMap<>();
  private final Map<String, Long> receivedAtNanos = new HashMap<>();
  private final RecentPlacements recent;

  private Balancer(ActorContext<Command> ctx, LoadSettings settings, PlacementPolicy policy,
      String selfNode) {
    this.ctx = ctx;
    this.policy = policy;
    this.selfNode = selfNode;
    this.cluster = Cluster.get(ctx.getSystem());
    this.recent = new RecentPlacements(settings.placementMemory().toNanos());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(SamplesChanged.class, this::onSamples)
        .onMessage(Place.class, this::onPlace)
        .onMessage(GetNodes.class, this::onGetNodes)
        .onMessage(Locate.class, l -> {
          LoadSample s = samples.get(l.node());
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
      }
    });
    samples.keySet().retainAll(c.samples().keySet());
    receivedAtNanos.keySet().retainAll(c.samples().keySet());
    return Behaviors.same();
  }

  private Behavior<Command> onPlace(Place p) {
    Map<String, Member> up = upMembers();
    List<NodeLoad> candidates = new ArrayList<>();
    for (LoadSample s : samples.values()) {
      if (up.containsKey(s.node())) {
        candidates.add(new NodeLoad(s.node(), s.slots(), s.runnable(), recent(s), s.speed(),
            s.freeMemoryBytes(), s.acceptingGuests()));
      }
    }
    candidates.sort(Comparator.comparing(NodeLoad::node));
    PlacementDecision d = policy.place(
        new PlacementRequest(p.jobId().value(), selfNode, p.memoryMb(), p.excluded()), candidates);
    ctx.getLog().debug("placement of job {}: {} {}", p.jobId(), d.reason(), d.candidates());
    if (d.chosen().isPresent()) {
      LoadSample target = samples.get(d.chosen().get());
      recent.placed(target.node(), target.admitted(), System.nanoTime());
      p.replyTo().tell(new Placed(p.jobId(), target.node(), target.executorPath(), d));
    } else {
      p.replyTo().tell(new Unplaceable(p.jobId(), d));
    }
    return Behaviors.same();
  }

  private int recent(LoadSample s) {
    return recent.unseen(s.node(), s.admitted(), System.nanoTime());
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
    List<NodeStatus> out = new ArrayList<>();
    samples.values().stream().sorted(Comparator.comparing(LoadSample::node)).forEach(s -> {
      Member m = members.get(s.node());
      out.add(new NodeStatus(s, m == null ? "Removed" : m.status().toString(),
          !unreachable.contains(s.node()),
          (now - receivedAtNanos.getOrDefault(s.node(), now)) / 1_000_000L, recent(s)));
    });
    g.replyTo().tell(new Nodes(out));
    return Behaviors.same();
  }
}
