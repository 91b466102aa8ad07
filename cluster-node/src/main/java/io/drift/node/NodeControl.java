package io.drift.node;

import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.migration.executor.Executor;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import io.drift.balancer.LoadSample;
import io.drift.balancer.grid.GridKeeper;
import io.drift.balancer.grid.PartnerTable;

/**
 * The operator's verbs on one node (MOSIX: mosctl), each an ask of the actor that owns the
 * switch, answered with what the node is now: block/noblock (guests), expel (guests away),
 * bring (own jobs home), stay/nostay (automatic moves away), status. The management HTTP routes
 * and tests call them; drain is {@link Drainer}.
 */
public final class NodeControl {

  private static final Duration ASK = Duration.ofSeconds(10);
  /** Moving jobs home waits for their moves; each has its own timeouts within this. */
  private static final Duration BRING = Duration.ofMinutes(5);

  private final ActorSystem<?> system;
  private final NodeRefs refs;

  public NodeControl(ActorSystem<?> system, NodeRefs refs) {
    this.system = system;
    this.refs = refs;
  }

  /** The verbs, with a line each, for help and errors. */
  public static final Map<String, String> VERBS = verbs();

  private static Map<String, String> verbs() {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("block", "take no new guests (units here stay)");
    v.put("noblock", "take guests again");
    v.put("expel", "block, and send every guest away (their homes pick where)");
    v.put("bring", "call every job homed here back home from where it runs");
    v.put("stay", "move no unit away by this node's own decision");
    v.put("nostay", "move units away by this node's own decision again");
    v.put("drain", "send every unit away, then leave the cluster");
    v.put("isolate", "take this node's cluster out of its grid: guests of other clusters go"
        + " home, its jobs come home from other clusters, it takes and sends none (--within)");
    v.put("rejoin", "put this node's cluster back into its grid on its partner terms");
    v.put("status", "this node's switches and what runs here");
    return java.util.Collections.unmodifiableMap(v);
  }

  /** What a verb came to: an HTTP status (200, 400, 409) and a body to render as JSON. */
  public record Answer(int status, Object body) {}

  /**
   * Runs one verb ({@link #VERBS}); {@code within} for drain and expel, {@code force} for
   * drain. 200 done; 409 the node stayed, or guests were left; 400 bad input.
   */
  public CompletionStage<Answer> run(String verb, String within, boolean force) {
    if (!VERBS.containsKey(verb)) {
      return done(400, Map.of("error", "unknown verb '" + verb + "'; known: "
          + String.join(", ", VERBS.keySet())));
    }
    Duration time = duration(within);
    if ((verb.equals("drain") || verb.equals("expel") || verb.equals("isolate"))
        && time == null) {
      return done(400, Map.of("error", "within is a duration above 0 and at most 24h, such as"
          + " 60s, not " + within));
    }
    return switch (verb) {
      case "status" -> status().thenApply(s -> new Answer(200, s));
      case "block" -> block(true).thenApply(s -> new Answer(200, s));
      case "noblock" -> block(false).thenApply(s -> new Answer(200, s));
      case "stay" -> stay(true).thenApply(s -> new Answer(200, s));
      case "nostay" -> stay(false).thenApply(s -> new Answer(200, s));
      case "bring" -> bring().thenApply(s -> new Answer(200, s));
      case "isolate" -> isolate(time);
      case "rejoin" -> terms(r -> new GridKeeper.SetIsolated(false, r))
          .thenApply(t -> new Answer(200, grid(t.table())));
      case "expel" -> expel(time).thenApply(r ->
          new Answer((Integer) r.get("guestsLeft") == 0 ? 200 : 409, r));
      default -> Drainer.drain(system, refs, time, force).thenApply(r ->
          new Answer(r.left() ? 200 : 409, r));
    };
  }

  private static CompletionStage<Answer> done(int status, Object body) {
    return java.util.concurrent.CompletableFuture.completedFuture(new Answer(status, body));
  }

  /** A duration above 0 and at most a day, or null. */
  public static Duration duration(String text) {
    try {
      Duration d = com.typesafe.config.ConfigFactory.parseString("t = " + text)
          .getDuration("t");
      return d.isNegative() || d.isZero() || d.toHours() > 24 ? null : d;
    } catch (RuntimeException e) {
      return null;
    }
  }

  public CompletionStage<Map<String, Object>> block(boolean on) {
    return AskPattern.<Executor.Command, Executor.Flags>ask(refs.executor(),
        r -> new Executor.SetBlocked(on, r), ASK, system.scheduler())
        .thenCompose(f -> status());
  }

  public CompletionStage<Map<String, Object>> stay(boolean on) {
    return AskPattern.<Balancer.Command, Balancer.Moving>ask(refs.balancer(),
        r -> new Balancer.SetStay(on, r), ASK, system.scheduler())
        .thenCompose(m -> status());
  }

  /** Guests still here after {@code within} are listed with why. */
  public CompletionStage<Map<String, Object>> expel(Duration within) {
    return AskPattern.<Executor.Command, Executor.Drained>ask(refs.executor(),
        r -> new Executor.Expel(within, r), within.plus(ASK), system.scheduler())
        .thenCompose(d -> status().thenApply(s -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("guestsLeft", d.left());
          out.put("notes", d.notes());
          out.put("status", s);
          return out;
        }));
  }

  public CompletionStage<Map<String, Object>> bring() {
    return AskPattern.<HomeManager.Command, HomeManager.Brought>ask(refs.homes(),
        HomeManager.BringHome::new, BRING, system.scheduler())
        .thenApply(b -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("node", refs.selfNode());
          out.put("broughtHome", b.moved());
          out.put("notMoved", b.notMoved());
          return out;
        });
  }

  private CompletionStage<GridKeeper.Terms> terms(
      java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<GridKeeper.Terms>,
          GridKeeper.Command> ask) {
    return AskPattern.ask(refs.grid(), ask::apply, ASK, system.scheduler());
  }

  /** This cluster's terms with its grid, as JSON renders them. */
  public static Map<String, Object> grid(PartnerTable t) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cluster", t.self());
    out.put("isolated", t.isolated());
    Map<String, Object> partners = new java.util.TreeMap<>();
    t.partners().forEach((name, p) -> {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("priority", p.priority());
      one.put("send", p.send());
      one.put("take", p.take());
      one.put("maxGuests", p.maxGuests() == Integer.MAX_VALUE ? null : p.maxGuests());
      partners.put(name, one);
    });
    out.put("partners", partners);
    return out;
  }

  /** The terms, and the bandwidth this node's moves reached to each cluster (bytes/s). */
  public CompletionStage<Map<String, Object>> grid() {
    return terms(GridKeeper.Get::new).thenApply(t -> {
      Map<String, Object> out = grid(t.table());
      out.put("measuredBandwidth", new java.util.TreeMap<>(
          io.drift.balancer.grid.GridView.get(system).bandwidths()));
      return out;
    });
  }

  /**
   * {@code drift ctl partner set CLUSTER}: sets its terms in this cluster's table, for every node
   * of this cluster. {@code params}: priority, send, take, max-guests ("none": no limit); what
   * is not given stays as it is (a new partner needs its priority; send and take default on).
   */
  public CompletionStage<Answer> partner(String cluster, Map<String, String> params) {
    for (String k : params.keySet()) {
      if (!List.of("priority", "send", "take", "max-guests").contains(k)) {
        return done(400, Map.of("error", "unknown term '" + k + "'; a partner has priority,"
            + " send, take and max-guests"));
      }
    }
    return terms(GridKeeper.Get::new).thenCompose(now -> {
      PartnerTable.Partner old = now.table().partners().get(cluster);
      PartnerTable.Partner next;
      try {
        if (old == null && !params.containsKey("priority")) {
          throw new IllegalArgumentException("cluster " + cluster + " is no partner yet: give"
              + " its priority (a number, lower first)");
        }
        next = new PartnerTable.Partner(
            params.containsKey("priority") ? number("priority", params.get("priority"))
                : old.priority(),
            params.containsKey("send") ? onOff("send", params.get("send"))
                : old == null || old.send(),
            params.containsKey("take") ? onOff("take", params.get("take"))
                : old == null || old.take(),
            !params.containsKey("max-guests") ? (old == null ? Integer.MAX_VALUE : old.maxGuests())
                : params.get("max-guests").equals("none") ? Integer.MAX_VALUE
                : number("max-guests", params.get("max-guests")));
      } catch (IllegalArgumentException e) {
        return done(400, Map.of("error", e.getMessage()));
      }
      return terms(r -> new GridKeeper.SetPartner(cluster, next, r)).thenApply(t ->
          t.problem() != null ? new Answer(400, Map.of("error", t.problem()))
              : new Answer(200, grid(t.table())));
    });
  }

  private static int number(String key, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new IllegalArgumentException(key + " is a whole number >= 0, not " + value);
  }

  private static boolean onOff(String key, String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "on", "true", "yes" -> true;
      case "off", "false", "no" -> false;
      default -> throw new IllegalArgumentException(key + " is on or off, not " + value);
    };
  }

  /**
   * Isolates this node's cluster (every node of it takes the new terms through Distributed
   * Data and sends its guests home by itself), then waits, up to {@code within}, until the load
   * samples show no guest of another cluster on this cluster's nodes and none of its jobs on
   * other clusters' nodes. 200 when so; 409 with what is left, which keeps leaving.
   */
  public CompletionStage<Answer> isolate(Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    return terms(r -> new GridKeeper.SetIsolated(true, r))
        .thenCompose(t -> awaitAlone(t.table().self(), deadline))
        .thenApply(left -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("cluster", clusterName());
          out.put("isolated", true);
          out.put("guestsLeft", left.get(0));
          out.put("jobsAbroad", left.get(1));
          boolean alone = left.get(0).isEmpty() && left.get(1).isEmpty();
          return new Answer(alone ? 200 : 409, out);
        });
  }

  private String clusterName() {
    return io.drift.balancer.grid.GridView.get(system).self();
  }

  /** [guests of other clusters here by node, this cluster's guests there by node]. */
  private CompletionStage<List<Map<String, Object>>> awaitAlone(String self, long deadline) {
    return AskPattern.<Balancer.Command, Balancer.Nodes>ask(refs.balancer(),
        Balancer.GetNodes::new, ASK, system.scheduler()).thenCompose(nodes -> {
          Map<String, Object> guests = new java.util.TreeMap<>();
          Map<String, Object> abroad = new java.util.TreeMap<>();
          for (Balancer.NodeStatus n : nodes.nodes()) {
            LoadSample s = n.sample();
            if (!n.memberStatus().equals("Up") && !n.memberStatus().equals("WeaklyUp")) {
              continue;
            }
            if (self.equals(s.cluster())) {
              Map<String, Integer> foreign = new java.util.TreeMap<>(s.guestsByCluster());
              foreign.remove(self);
              if (!foreign.isEmpty()) {
                guests.put(s.node(), foreign);
              }
            } else if (s.guestsByCluster().getOrDefault(self, 0) > 0) {
              abroad.put(s.node(), s.guestsByCluster().get(self));
            }
          }
          if ((guests.isEmpty() && abroad.isEmpty()) || System.nanoTime() - deadline >= 0) {
            return java.util.concurrent.CompletableFuture.completedFuture(List.of(guests, abroad));
          }
          java.util.concurrent.CompletableFuture<List<Map<String, Object>>> next =
              new java.util.concurrent.CompletableFuture<>();
          system.scheduler().scheduleOnce(Duration.ofMillis(500),
              () -> awaitAlone(self, deadline).whenComplete((v, e) -> {
                if (e != null) {
                  next.completeExceptionally(e);
                } else {
                  next.complete(v);
                }
              }), system.executionContext());
          return next;
        });
  }

  public CompletionStage<Map<String, Object>> status() {
    CompletionStage<Executor.Flags> flags = AskPattern.ask(refs.executor(),
        Executor.GetFlags::new, ASK, system.scheduler());
    CompletionStage<Balancer.Moving> moving = AskPattern.ask(refs.balancer(),
        Balancer.GetMoving::new, ASK, system.scheduler());
    CompletionStage<HomeManager.JobCounts> homed = AskPattern.ask(refs.homes(),
        HomeManager.CountJobs::new, ASK, system.scheduler());
    CompletionStage<Executor.Units> units = AskPattern.ask(refs.executor(),
        Executor.GetUnits::new, ASK, system.scheduler());
    return flags.thenCombine(moving, (f, m) -> List.of(f, m)).thenCombine(homed, (fm, j) -> {
      Executor.Flags f = (Executor.Flags) fm.get(0);
      Balancer.Moving m = (Balancer.Moving) fm.get(1);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("node", refs.selfNode());
      out.put("blocked", f.blocked());
      out.put("draining", f.draining());
      out.put("acceptsGuests", f.acceptsGuests());
      out.put("stay", m.stay());
      out.put("autoMigrate", m.migrate() && !m.stay());
      out.put("slots", f.slots());
      out.put("units", f.units());
      out.put("guests", f.guests());
      out.put("jobsHomed", j.unfinished());
      out.put("jobsQueued", j.byState().get(io.drift.api.JobState.QUEUED));
      return out;
    }).thenCombine(units, (out, u) -> {
      io.drift.balancer.grid.GridView grid = io.drift.balancer.grid.GridView.get(system);
      Map<String, Integer> byCluster = new java.util.TreeMap<>();
      for (Executor.UnitInfo i : u.units()) {
        if (i.guest() && i.homeNode() != null) {
          String dc = grid.clusterOf(i.homeNode());
          byCluster.merge(dc == null ? "?" : dc, 1, Integer::sum);
        }
      }
      out.put("cluster", grid.self());
      out.put("isolated", grid.table().isolated());
      out.put("guestsByCluster", byCluster);
      return out;
    });
  }
}
