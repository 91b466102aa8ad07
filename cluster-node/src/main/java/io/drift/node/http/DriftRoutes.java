package io.drift.node.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drift.api.JobId;
import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.node.NodeRefs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Drift's read-only JSON routes on the management port: {@code /drift/nodes},
 * {@code /drift/jobs} and {@code /drift/jobs/{id}}. Asking the node's actors is fine here: this
 * is the edge.
 */
public final class DriftRoutes extends AllDirectives {

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MIGRATE_TIMEOUT = Duration.ofSeconds(120);

  private final ActorSystem<?> system;
  private final NodeRefs refs;
  private final ObjectMapper json;

  private final boolean readOnly;
  private final io.drift.node.NodeControl control;

  /**
   * @param readOnly refuse the mutating routes (pekko.management.http.route-providers-read-only)
   */
  public DriftRoutes(ActorSystem<?> system, NodeRefs refs, boolean readOnly) {
    this.system = system;
    this.refs = refs;
    this.readOnly = readOnly;
    this.json = Json.mapper();
    this.control = new io.drift.node.NodeControl(system, refs);
  }

  public Route route() {
    return pathPrefix("drift", () -> concat(
        get(() -> concat(
            path("nodes", () -> onSuccess(nodes(), this::ok)),
            path("decisions", () -> onSuccess(decisions(), this::ok)),
            path("jobs", () -> onSuccess(jobs(), this::ok)),
            path("status", () -> onSuccess(control.status(), this::ok)),
            path(segment("jobs").slash(segment()), this::job))),
        post(() -> concat(
            path(segment("jobs").slash(segment()).slash("migrate"),
                id -> parameterOptional("to", to -> migrate(id, to.orElse(null)))),
            path("drain", () -> parameterOptional("force", force ->
                parameterOptional("within", within -> drain(force.orElse("false"),
                    within.orElse("60s"))))),
            path(segment("ctl").slash(segment()), verb -> parameterOptional("force", force ->
                parameterOptional("within", within -> ctl(verb, force.orElse("false"),
                    within.orElse("60s")))))))));
  }

  /**
   * {@code POST /drift/ctl/{verb}}: block, noblock, expel ({@code ?within=60s}), bring, stay,
   * nostay, drain ({@code ?force&within}), status. 200 with what the node is now; expel 409 if
   * guests are left; 400 an unknown verb or a bad parameter.
   */
  private Route ctl(String verb, String force, String within) {
    if (verb.equals("status")) {
      return onSuccess(control.status(), this::ok);
    }
    if (!io.drift.node.NodeControl.VERBS.containsKey(verb)) {
      return complete(error(StatusCodes.BAD_REQUEST, "unknown verb '" + verb + "'; known: "
          + String.join(", ", io.drift.node.NodeControl.VERBS.keySet())));
    }
    if (readOnly) {
      return complete(error(StatusCodes.FORBIDDEN, "management HTTP is read-only here"
          + " (pekko.management.http.route-providers-read-only = true)"));
    }
    return switch (verb) {
      case "block" -> onSuccess(control.block(true), this::ok);
      case "noblock" -> onSuccess(control.block(false), this::ok);
      case "stay" -> onSuccess(control.stay(true), this::ok);
      case "nostay" -> onSuccess(control.stay(false), this::ok);
      case "bring" -> onSuccess(control.bring(), this::ok);
      case "drain" -> drain(force, within);
      default -> { // expel
        java.time.Duration time = duration(within);
        yield time == null ? complete(error(StatusCodes.BAD_REQUEST, "within is a duration"
                + " above 0 and at most 24h, such as 60s, not " + within))
            : onSuccess(control.expel(time), r -> ((Integer) r.get("guestsLeft")) == 0 ? ok(r)
                : complete(HttpResponse.create().withStatus(StatusCodes.CONFLICT)
                    .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(r)))));
      }
    };
  }

  /** A duration above 0 and at most a day, or null. */
  private static java.time.Duration duration(String text) {
    try {
      java.time.Duration d = com.typesafe.config.ConfigFactory.parseString("t = " + text)
          .getDuration("t");
      return d.isNegative() || d.isZero() || d.toHours() > 24 ? null : d;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * {@code POST /drift/drain?force=false&within=60s}: every unit here moves away, then the node
   * leaves once it is home to no unfinished job (with force, those are cancelled). 200 left,
   * 409 stayed (why), 400 bad parameters.
   */
  private Route drain(String force, String within) {
    if (readOnly) {
      return complete(error(StatusCodes.FORBIDDEN, "management HTTP is read-only here"
          + " (pekko.management.http.route-providers-read-only = true)"));
    }
    if (!force.equals("true") && !force.equals("false")) {
      return complete(error(StatusCodes.BAD_REQUEST, "force is true or false, not " + force));
    }
    java.time.Duration time = duration(within);
    if (time == null) {
      return complete(error(StatusCodes.BAD_REQUEST, "within is a duration above 0 and at most"
          + " 24h, such as 60s, not " + within));
    }
    return onSuccess(io.drift.node.Drainer.drain(system, refs, time, force.equals("true")),
        r -> r.left() ? ok(r) : complete(HttpResponse.create().withStatus(StatusCodes.CONFLICT)
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(r)))));
  }

  /**
   * {@code POST /drift/jobs/{id}/migrate?to=NODE|home|freeze|continue}: 200 moved, 409 not
   * moved (why), 404 no such job.
   */
  private Route migrate(String id, String to) {
    if (readOnly) {
      return complete(error(StatusCodes.FORBIDDEN, "management HTTP is read-only here"
          + " (pekko.management.http.route-providers-read-only = true)"));
    }
    if (to == null || to.isBlank()) {
      return complete(error(StatusCodes.BAD_REQUEST, "say where: ?to=host:port, home, freeze or continue"));
    }
    JobId jobId;
    try {
      jobId = JobId.of(id);
    } catch (IllegalArgumentException e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    CompletionStage<HomeProxy.MigrateAnswer> answer = AskPattern.ask(refs.homes(),
        r -> new HomeManager.MigrateJob(jobId, to, r), MIGRATE_TIMEOUT, system.scheduler());
    return onSuccess(answer, a -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("moved", a.moved());
      body.put("message", a.message());
      body.put("job", a.info());
      return a.info() == null ? complete(error(StatusCodes.NOT_FOUND, a.message()))
          : a.moved() ? ok(body) : complete(HttpResponse.create().withStatus(StatusCodes.CONFLICT)
              .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(body))));
    });
  }

  private CompletionStage<Map<String, Object>> nodes() {
    return AskPattern.<Balancer.Command, Balancer.Nodes>ask(refs.balancer(),
            Balancer.GetNodes::new, ASK_TIMEOUT, system.scheduler())
        .thenApply(n -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("self", refs.selfNode());
          out.put("nodes", n.nodes().stream().map(DriftRoutes::node).toList());
          return out;
        });
  }

  /** {@code GET /drift/decisions}: this node's last balancing decisions, oldest first. */
  private CompletionStage<Balancer.Decisions> decisions() {
    return AskPattern.ask(refs.balancer(), Balancer.GetDecisions::new, ASK_TIMEOUT,
        system.scheduler());
  }

  private static Map<String, Object> node(Balancer.NodeStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", s.sample().node());
    m.put("status", s.memberStatus());
    m.put("reachable", s.reachable());
    m.put("sampleAgeMillis", s.ageMillis());
    m.put("slots", s.sample().slots());
    m.put("runnable", s.sample().runnable());
    m.put("guests", s.sample().guests());
    m.put("speed", s.sample().speed());
    m.put("load", s.sample().normalizedLoad());
    m.put("freeMemoryBytes", s.sample().freeMemoryBytes());
    m.put("totalMemoryBytes", s.sample().totalMemoryBytes());
    m.put("acceptingGuests", s.sample().acceptingGuests());
    m.put("recentPlacements", s.recentPlacements());
    m.put("gossipAge", s.gossipAge());
    return m;
  }

  private CompletionStage<HomeManager.JobList> jobs() {
    // a local ask: the whole list in one reply is fine, nothing is serialized
    return AskPattern.ask(refs.homes(), r -> new HomeManager.ListJobs(0, Integer.MAX_VALUE, r),
        ASK_TIMEOUT, system.scheduler());
  }

  private Route job(String id) {
    JobId jobId;
    try {
      jobId = JobId.of(id);
    } catch (IllegalArgumentException e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    CompletionStage<HomeManager.JobLookup> lookup = AskPattern.ask(refs.homes(),
        r -> new HomeManager.GetJob(jobId, r), ASK_TIMEOUT, system.scheduler());
    return onSuccess(lookup, l -> l.info() == null
        ? complete(error(StatusCodes.NOT_FOUND, "no job " + id + " is homed at " + refs.selfNode()))
        : ok(l.info()));
  }

  private Route ok(Object body) {
    return complete(HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(body))));
  }

  private HttpResponse error(org.apache.pekko.http.javadsl.model.StatusCode code, String message) {
    return HttpResponse.create().withStatus(code).withEntity(
        HttpEntities.create(ContentTypes.APPLICATION_JSON, write(Map.of("error", message))));
  }

  private String write(Object body) {
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
    }
  }
}
