package io.drift.balancer.grid;

import io.drift.balancer.BalancerWire;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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

/**
 * Keeps a node's {@link GridView} current (decision 0023). The owner of a cluster changes its
 * terms on any of its nodes ({@code drift ctl partner set}, {@code isolate}, {@code rejoin}); the
 * node writes its cluster's table into Distributed Data ({@link #KEY}, one entry per cluster,
 * last writer wins) and every node of that cluster takes it from there. A node that starts, or
 * restarts, takes its cluster's table from there too once it has one; until then, or if its
 * cluster's owner never changed anything, its configuration's. Each change, and every
 * {@code interval} after, it runs {@code enforce}: the node's guests and jobs are brought in
 * line with the terms (guests the table no longer takes go home, jobs in clusters it no longer
 * sends to come home), retried until they are.
 */
public final class GridKeeper {
  private GridKeeper() {}

  public static final Key<LWWMap<String, Entry>> KEY = LWWMapKey.create("drift-grid");

  /** A cluster's terms as Distributed Data holds them. */
  public record Entry(Map<String, PartnerTable.Partner> partners, boolean isolated)
      implements BalancerWire {}

  public sealed interface Command {}

  public record Get(ActorRef<Terms> replyTo) implements Command {}

  /** Sets (or adds) {@code cluster}'s terms in this cluster's table. */
  public record SetPartner(String cluster, PartnerTable.Partner terms, ActorRef<Terms> replyTo)
      implements Command {}

  public record SetIsolated(boolean isolated, ActorRef<Terms> replyTo) implements Command {}

  /** The table now; {@code problem} non-null: the change was refused, and why. */
  public record Terms(PartnerTable table, String problem) {}

  private record Changed(LWWMap<String, Entry> map) implements Command {}

  private record Written(PartnerTable table, boolean everywhere, ActorRef<Terms> replyTo)
      implements Command {}

  /** This node's own view of the map, read after its last write was answered. */
  private record ReadBack(LWWMap<String, Entry> map) implements Command {}

  private record Seen(org.apache.pekko.cluster.Member member, boolean gone) implements Command {}

  private enum Tick implements Command { INSTANCE }

  /** How long a change waits for every node to hold it before it is answered anyway. */
  private static final Duration WRITE_ALL = Duration.ofSeconds(3);

  public static Behavior<Command> create(Duration interval, Runnable enforce) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        DistributedData.<Command, LWWMap<String, Entry>>withReplicatorMessageAdapter(ddata -> {
          ddata.subscribe(KEY, rsp -> rsp instanceof Replicator.Changed<?> c
              ? new Changed((LWWMap<String, Entry>) c.dataValue()) : new Changed(null));
          Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
              ctx.messageAdapter(ClusterEvent.MemberEvent.class, e -> new Seen(e.member(),
                  e instanceof ClusterEvent.MemberRemoved)),
              ClusterEvent.MemberEvent.class));
          timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
          return new GridKeeper.Actor(ctx, ddata, enforce).behavior();
        })));
  }

  private static final class Actor {
    private final ActorContext<Command> ctx;
    private final ReplicatorMessageAdapter<Command, LWWMap<String, Entry>> ddata;
    private final Runnable enforce;
    private final GridView view;
    private final SelfUniqueAddress selfUnique;
    /**
     * Own writes not yet answered. A Changed the replicator sent before it held the newest of
     * them carries an older value: applying it would undo an isolate for a moment (a status
     * read then saw "isolated: false"). So Changed waits until the writes are answered, and
     * the value is then read back once, which also takes in a concurrent change by another
     * node of this cluster (the map is last-writer-wins).
     */
    private int pending;

    Actor(ActorContext<Command> ctx, ReplicatorMessageAdapter<Command, LWWMap<String, Entry>> ddata,
        Runnable enforce) {
      this.ctx = ctx;
      this.ddata = ddata;
      this.enforce = enforce;
      this.view = GridView.get(ctx.getSystem());
      this.selfUnique = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Get.class, g -> {
            g.replyTo().tell(new Terms(view.table(), null));
            return Behaviors.same();
          })
          .onMessage(SetPartner.class, s -> {
            String self = view.self();
            String no = s.cluster() == null || !s.cluster().matches("[A-Za-z0-9_.-]{1,64}")
                ? "a cluster is a data-center name of 1 to 64 letters, digits, '.', '_' or '-',"
                + " not " + s.cluster()
                : s.cluster().equals(self) ? "cluster " + self + " is this cluster, no partner"
                : null;
            if (no != null) {
              s.replyTo().tell(new Terms(view.table(), no));
              return Behaviors.same();
            }
            change(view.table().with(s.cluster(), s.terms()), s.replyTo());
            return Behaviors.same();
          })
          .onMessage(SetIsolated.class, s -> {
            change(view.table().isolated(s.isolated()), s.replyTo());
            return Behaviors.same();
          })
          .onMessage(Changed.class, c -> {
            if (pending == 0) {
              applyOwn(c.map());
            }
            return Behaviors.same();
          })
          .onMessage(ReadBack.class, r -> {
            if (pending == 0) {
              applyOwn(r.map());
            }
            return Behaviors.same();
          })
          .onMessage(Written.class, w -> {
            if (--pending == 0) {
              ddata.askGet(r -> new Replicator.Get<>(KEY, Replicator.readLocal(), r),
                  rsp -> new ReadBack(rsp instanceof Replicator.GetSuccess<LWWMap<String, Entry>> g
                      ? g.dataValue() : null));
            }
            if (!w.everywhere()) {
              ctx.getLog().info("grid: {} is written here; not every node held it within {}"
                  + " (Distributed Data's gossip brings it to them)", w.table(), WRITE_ALL);
            }
            w.replyTo().tell(new Terms(w.table(), null));
            return Behaviors.same();
          })
          .onMessage(Seen.class, s -> {
            if (s.gone()) {
              view.memberGone(s.member());
            } else {
              view.memberSeen(s.member());
            }
            return Behaviors.same();
          })
          .onMessageEquals(Tick.INSTANCE, () -> {
            PartnerTable t = view.table();
            if (t.isolated() || !t.partners().isEmpty()) { // one cluster alone: nothing to do
              enforce.run();
            }
            return Behaviors.same();
          })
          .build();
    }

    /**
     * Applies here at once, writes it for the other nodes of this cluster, and answers once
     * every node holds it (each applies it within Distributed Data's notify interval), or
     * after {@link #WRITE_ALL} if some did not answer (gossip brings it to them later).
     */
    private void change(PartnerTable next, ActorRef<Terms> replyTo) {
      pending++;
      apply(next);
      Entry entry = new Entry(next.partners(), next.isolated());
      ddata.askUpdate(r -> new Replicator.Update<>(KEY, LWWMap.empty(),
              new Replicator.WriteAll(WRITE_ALL), r,
              m -> m.put(selfUnique, view.self(), entry)),
          rsp -> new Written(next, rsp instanceof Replicator.UpdateSuccess, replyTo));
    }

    private void applyOwn(LWWMap<String, Entry> map) {
      Entry e = map == null ? null : map.getEntries().get(view.self());
      if (e != null) {
        apply(new PartnerTable(view.self(), e.partners(), e.isolated()));
      }
    }

    private void apply(PartnerTable next) {
      if (!next.equals(view.table())) {
        ctx.getLog().info("grid: {}", next);
        view.set(next);
        enforce.run();
      }
    }
  }
}
