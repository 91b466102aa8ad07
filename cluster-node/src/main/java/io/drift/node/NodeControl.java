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
    if ((verb.equals("drain") || verb.equals("expel")) && time == null) {
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

  public CompletionStage<Map<String, Object>> status() {
    CompletionStage<Executor.Flags> flags = AskPattern.ask(refs.executor(),
        Executor.GetFlags::new, ASK, system.scheduler());
    CompletionStage<Balancer.Moving> moving = AskPattern.ask(refs.balancer(),
        Balancer.GetMoving::new, ASK, system.scheduler());
    CompletionStage<HomeManager.JobList> homed = AskPattern.ask(refs.homes(),
        r -> new HomeManager.ListJobs(0, Integer.MAX_VALUE, r), ASK, system.scheduler());
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
      out.put("jobsHomed", j.jobs().stream().filter(i -> !i.state().isFinal()).count());
      return out;
    });
  }
}
