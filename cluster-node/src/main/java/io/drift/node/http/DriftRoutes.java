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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
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
  private final RemoteNodes remote;

  /**
   * @param readOnly refuse the mutating routes (pekko.management.http.route-providers-read-only)
   */
  public DriftRoutes(ActorSystem<?> system, NodeRefs refs, boolean readOnly) {
    this.system = system;
    this.refs = refs;
    this.readOnly = readOnly;
    this.json = Json.mapper();
    this.control = new io.drift.node.NodeControl(system, refs);
    this.remote = new RemoteNodes(system, refs.selfNode(), ASK_TIMEOUT);
  }

  public Route route() {
    return concat(ui(), drift());
  }

  /**
   * {@code /ui}: the dashboard, plain HTML, CSS and JavaScript from this jar, which polls the
   * routes below.
   */
  private Route ui() {
    return pathPrefix("ui", () -> concat(
        // the page's files are named relative to /ui/
        pathEnd(() -> redirect(org.apache.pekko.http.javadsl.model.Uri.create("/ui/"),
            StatusCodes.MOVED_PERMANENTLY)),
        pathSingleSlash(() -> getFromResource("drift-ui/index.html",
            ContentTypes.TEXT_HTML_UTF8)),
        getFromResourceDirectory("drift-ui")));
  }

  private Route drift() {
    return pathPrefix("drift", () -> concat(
        get(() -> concat(
            path("nodes", () -> onSuccess(nodes(), this::ok)),
            path("decisions", () -> onSuccess(decisions(), this::ok)),
            path("jobs", () -> parameterOptional("all", all -> all.orElse("false").equals("true")
                ? onComplete(allJobs(), t -> t.isSuccess() ? ok(t.get())
                    : complete(error(StatusCodes.SERVICE_UNAVAILABLE, "a node did not answer: "
                        + rootMessage(t.failed().get()))))
                : onSuccess(jobs(), this::ok))),
            path("status", () -> onSuccess(control.status(), this::ok)),
            path("grid", () -> onSuccess(control.grid(), this::ok)),
            path("queue", () -> onSuccess(AskPattern.<HomeManager.Command, HomeManager.Queue>ask(
                refs.homes(), HomeManager.GetQueue::new, ASK_TIMEOUT, system.scheduler()),
                this::ok)),
            path(segment("jobs").slash(segment()).slash("why"), this::why),
            path(segment("jobs").slash(segment()), this::job))),
        post(() -> concat(
            path(segment("jobs").slash(segment()).slash("migrate"), id -> params(p ->
                migrate(id, p.get("to"), p.getOrDefault("home", refs.selfNode())))),
            path(segment("jobs").slash(segment()).slash("cancel"), this::cancel),
            path(segment("nodes").slash(segment()).slash("ctl").slash(segment()),
                (node, verb) -> params(p -> nodeCtl(node, verb,
                    p.getOrDefault("force", "false"), p.getOrDefault("within", "60s")))),
            path(segment("queue").slash(segment()), id -> params(p ->
                requeue(id, p.get("priority")))),
            path(segment("grid").slash("partners").slash(segment()), cluster -> params(p ->
                readOnly ? readOnlyHere() : onSuccess(control.partner(cluster, p),
                    this::answer))),
            path("drain", () -> params(p -> drain(p.getOrDefault("force", "false"),
                p.getOrDefault("within", "60s")))),
            path(segment("ctl").slash(segment()), verb -> params(p -> ctl(verb,
                p.getOrDefault("force", "false"), p.getOrDefault("within", "60s"))))))));
  }

  /**
   * A POST's parameters: its query's, and the fields of its body when that is a JSON object
   * ({@code {"to": "home"}}); the body's win. A body that is not one is a 400 that says so.
   */
  private Route params(java.util.function.Function<Map<String, String>, Route> inner) {
    return parameterMap(query -> entity(
        org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(), body -> {
          if (body.isBlank()) {
            return inner.apply(query);
          }
          com.fasterxml.jackson.databind.JsonNode tree;
          try {
            tree = json.readTree(body);
          } catch (JsonProcessingException e) {
            return complete(error(StatusCodes.BAD_REQUEST, "the body is not JSON ("
                + e.getOriginalMessage() + "); send a JSON object such as {\"within\": \"60s\"},"
                + " or query parameters"));
          }
          if (tree == null || !tree.isObject()) {
            return complete(error(StatusCodes.BAD_REQUEST, "the body must be a JSON object,"
                + " such as {\"to\": \"home\"}"));
          }
          Map<String, String> all = new java.util.HashMap<>(query);
          for (java.util.Iterator<Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>> f =
              tree.fields(); f.hasNext(); ) {
            Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e = f.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
              return complete(error(StatusCodes.BAD_REQUEST, "field '" + e.getKey()
                  + "' must be a string, a number or true/false"));
            }
            all.put(e.getKey(), e.getValue().asText());
          }
          return inner.apply(all);
        }));
  }

  /**
   * {@code POST /drift/ctl/{verb}}: block, noblock, expel ({@code ?within=60s}), bring, stay,
   * nostay, drain ({@code ?force&within}), status. 200 with what the node is now; 409 the node
   * stayed, or guests were left; 400 an unknown verb or a bad parameter.
   */
  private Route ctl(String verb, String force, String within) {
    if (readOnly && !verb.equals("status") && io.drift.node.NodeControl.VERBS.containsKey(verb)) {
      return readOnlyHere();
    }
    if (!force.equals("true") && !force.equals("false")) {
      return complete(error(StatusCodes.BAD_REQUEST, "force is true or false, not " + force));
    }
    return onSuccess(control.run(verb, within, force.equals("true")), this::answer);
  }

  /** {@code POST /drift/nodes/{node}/ctl/{verb}}: a verb on any node of the cluster. */
  private Route nodeCtl(String node, String verb, String force, String within) {
    if (node.equals(refs.selfNode())) {
      return ctl(verb, force, within);
    }
    if (readOnly && !verb.equals("status")) {
      return readOnlyHere();
    }
    if (!force.equals("true") && !force.equals("false")) {
      return complete(error(StatusCodes.BAD_REQUEST, "force is true or false, not " + force));
    }
    Duration wait = verb.equals("drain") || verb.equals("expel")
        ? Optional.ofNullable(io.drift.node.NodeControl.duration(within)).orElse(ASK_TIMEOUT)
            .plus(Duration.ofMinutes(1))
        : Duration.ofMinutes(6);
    return onSuccess(remote.control(node).thenCompose(c -> AskPattern.<
            io.drift.node.ControlActor.Run, io.drift.node.ControlActor.Done>ask(c,
            r -> new io.drift.node.ControlActor.Run(verb, within, force.equals("true"), r), wait,
            system.scheduler())).exceptionally(e -> new io.drift.node.ControlActor.Done(404,
                write(Map.of("error", "no Drift node answered at " + node + ": "
                    + rootMessage(e))))),
        d -> complete(HttpResponse.create().withStatus(StatusCodes.get(d.status()))
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, d.json()))));
  }

  /** {@code POST /drift/jobs/{id}/cancel}, at the job's home: 200 with its record, 404. */
  /**
   * {@code POST /drift/queue/{job}?priority=N}: a queued job's new priority (lower first).
   * 200 with the queue; 400 a bad priority, or the job is not queued; 404 not homed here.
   */
  private Route requeue(String id, String priority) {
    if (readOnly) {
      return readOnlyHere();
    }
    int p;
    try {
      p = Integer.parseInt(String.valueOf(priority).trim());
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 0) {
      return complete(error(StatusCodes.BAD_REQUEST, "priority is a whole number >= 0 (lower"
          + " first), not " + priority));
    }
    int to = p;
    return homed(id, l -> onSuccess(
        AskPattern.<HomeManager.Command, HomeManager.QueueChanged>ask(refs.homes(),
            r -> new HomeManager.SetQueuePriority(l.jobId(), to, r), ASK_TIMEOUT,
            system.scheduler()),
        c -> c.problem() == null ? ok(c.queue())
            : complete(error(StatusCodes.BAD_REQUEST, c.problem()))));
  }

  private Route cancel(String id) {
    if (readOnly) {
      return readOnlyHere();
    }
    // a queued job gets its proxy for this (GetHome): the proxy is where a job ends
    return homed(id, true, l -> onSuccess(
        AskPattern.<HomeProxy.Command, HomeProxy.InfoReply>ask(l.home(),
            r -> new HomeProxy.Cancel("cancelled over HTTP", r), ASK_TIMEOUT,
            system.scheduler()), reply -> ok(reply.info())));
  }

  private Route homed(String id, java.util.function.Function<HomeManager.JobLookup, Route> then) {
    return homed(id, false, then);
  }

  /**
   * A job homed here, by its id: 400 a malformed id, 404 not homed here. {@code home}: the
   * lookup gives the job's home actor, made for a queued job that has none yet.
   */
  private Route homed(String id, boolean home,
      java.util.function.Function<HomeManager.JobLookup, Route> then) {
    JobId jobId;
    try {
      jobId = JobId.of(id);
    } catch (IllegalArgumentException e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    CompletionStage<HomeManager.JobLookup> lookup = AskPattern.ask(refs.homes(),
        r -> home ? new HomeManager.GetHome(jobId, r) : new HomeManager.GetJob(jobId, r),
        ASK_TIMEOUT, system.scheduler());
    return onSuccess(lookup, l -> l.info() == null
        ? complete(error(StatusCodes.NOT_FOUND, "no job " + id + " is homed at "
            + refs.selfNode()))
        : then.apply(l));
  }

  private Route readOnlyHere() {
    return complete(error(StatusCodes.FORBIDDEN, "management HTTP is read-only here"
        + " (pekko.management.http.route-providers-read-only = true)"));
  }

  /** {@code GET /drift/jobs?all=true}: the jobs of every node that is Up. */
  private CompletionStage<Map<String, Object>> allJobs() {
    return remote.upMembers().thenCompose(nodes -> {
      List<CompletionStage<List<io.drift.api.JobInfo>>> each = new ArrayList<>();
      for (String n : nodes) {
        each.add(n.equals(refs.selfNode())
            ? jobs().thenApply(HomeManager.JobList::jobs) : remote.jobs(n));
      }
      return all(each).thenApply(lists -> {
        List<io.drift.api.JobInfo> jobs = new ArrayList<>();
        lists.forEach(jobs::addAll);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodes", nodes);
        out.put("jobs", jobs);
        return out;
      });
    });
  }

  /** {@code GET /drift/jobs/{id}/why}: every node's decisions about the job, oldest first. */
  private Route why(String id) {
    JobId jobId;
    try {
      jobId = JobId.of(id);
    } catch (IllegalArgumentException e) {
      return complete(error(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    CompletionStage<List<Map<String, Object>>> rows = remote.upMembers().thenCompose(nodes -> {
      List<CompletionStage<Balancer.Decisions>> each = new ArrayList<>();
      for (String n : nodes) {
        each.add(remote.decisions(n, jobId));
      }
      return all(each).thenApply(lists -> {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Balancer.Decisions d : lists) {
          for (io.drift.balancer.Decision x : d.decisions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", d.node());
            m.put("decision", x);
            out.add(m);
          }
        }
        out.sort(java.util.Comparator.comparingLong(
            m -> ((io.drift.balancer.Decision) m.get("decision")).atMillis()));
        return out;
      });
    });
    return onComplete(rows, t -> t.isSuccess() ? ok(t.get())
        : complete(error(StatusCodes.SERVICE_UNAVAILABLE, "a node did not answer: "
            + rootMessage(t.failed().get()))));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t != t.getCause()) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }

  /** All of them, in order; a node that does not answer fails the whole. */
  private static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
    CompletionStage<List<T>> acc = java.util.concurrent.CompletableFuture.completedFuture(
        new ArrayList<>());
    for (CompletionStage<T> s : stages) {
      acc = acc.thenCombine(s, (list, x) -> {
        list.add(x);
        return list;
      });
    }
    return acc;
  }

  private Route answer(io.drift.node.NodeControl.Answer a) {
    return complete(HttpResponse.create().withStatus(StatusCodes.get(a.status()))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, write(a.body()))));
  }

  /**
   * {@code POST /drift/drain?force=false&within=60s}: every unit here moves away, then the node
   * leaves once it is home to no unfinished job (with force, those are cancelled). 200 left,
   * 409 stayed (why), 400 bad parameters. The same as {@code POST /drift/ctl/drain}.
   */
  private Route drain(String force, String within) {
    return ctl("drain", force, within);
  }

  /**
   * {@code POST /drift/jobs/{id}/migrate?to=NODE|home|freeze|continue}: 200 moved, 409 not
   * moved (why), 404 no such job.
   */
  private Route migrate(String id, String to, String home) {
    if (readOnly) {
      return readOnlyHere();
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
    // at its home: this node's home manager, or the home node's gateway
    CompletionStage<HomeProxy.MigrateAnswer> answer = home.equals(refs.selfNode())
        ? AskPattern.ask(refs.homes(), r -> new HomeManager.MigrateJob(jobId, to, r),
            MIGRATE_TIMEOUT, system.scheduler())
        : remote.gateway(home).thenCompose(g -> AskPattern.<io.drift.node.Gateway.Command,
            HomeProxy.MigrateAnswer>ask(g, r -> new io.drift.node.Gateway.Migrate(jobId, to, r),
            MIGRATE_TIMEOUT, system.scheduler()))
            .exceptionally(e -> new HomeProxy.MigrateAnswer(jobId, false, "no Drift node"
                + " answered at " + home + ": " + rootMessage(e), null));
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
    return homed(id, l -> ok(l.info()));
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
