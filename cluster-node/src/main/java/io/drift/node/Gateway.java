package io.drift.node;

import io.drift.api.JobId;
import io.drift.api.WorkUnit;
import io.drift.balancer.Balancer;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.migration.Limits;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.codec.StateCodecException;
import io.drift.migration.code.CodeStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * Where clients come in: checks a submission (the unit's class loads here, its state decodes,
 * its size fits) and has the home manager record it. Registered with the Receptionist; external
 * clients find it at {@code /user/gateway}.
 */
public final class Gateway {

  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "drift-gateway");

  public sealed interface Command {}

  /**
   * Submit a job homed at this node. {@code unit} is the unit's encoded starting state; {@code
   * workspace} the job's files' directory under the home's root (null: its own); {@code code}
   * the SHA-256 of a jar stored here by {@link PutCode} that has the unit's classes (null:
   * they are on Drift's class path).
   */
  /**
   * {@code queue}: through the home's batch queue at that priority; null: at once.
   * {@code jobId}: the id the client chose for the job (null: the home picks one), so that
   * {@code subscriber} can hear of the job from its first event on, before the answer: one
   * actor of the client takes the answers and the events of all its jobs, by id, and no
   * subscription needs a message of its own.
   */
  public record Submit(String name, Payload unit, long memoryMb, boolean migratable,
      String workspace, String code, String startOn, Integer queue,
      ActorRef<SubmitReply> replyTo, JobId jobId, ActorRef<HomeProxy.JobEvent> subscriber)
      implements Command, GatewayWire {

    public Submit(String name, Payload unit, long memoryMb, boolean migratable,
        String workspace, String code, String startOn, Integer queue,
        ActorRef<SubmitReply> replyTo) {
      this(name, unit, memoryMb, migratable, workspace, code, startOn, queue, replyTo, null,
          null);
    }

    public Submit(String name, Payload unit, long memoryMb, boolean migratable,
        String workspace, String code, String startOn, ActorRef<SubmitReply> replyTo) {
      this(name, unit, memoryMb, migratable, workspace, code, startOn, null, replyTo);
    }

    public Submit(String name, Payload unit, long memoryMb, boolean migratable,
        ActorRef<SubmitReply> replyTo) {
      this(name, unit, memoryMb, migratable, null, null, null, replyTo);
    }

    public Submit(String name, Payload unit, long memoryMb, boolean migratable,
        String workspace, String code, ActorRef<SubmitReply> replyTo) {
      this(name, unit, memoryMb, migratable, workspace, code, null, replyTo);
    }
  }

  /**
   * A piece of a jar of job code, from {@code offset}, of {@code total} bytes in all, with
   * {@code hash} its SHA-256. Pieces come in order, each after the last one's answer; a piece
   * at 0 starts over. Answered with {@link CodeAck}; a jar this node has already is not sent
   * again ({@code stored} on the first answer).
   */
  public record PutCode(String hash, long offset, byte[] data, long total,
      ActorRef<CodeAck> replyTo) implements Command, GatewayWire {}

  /** {@code error} non-null: the upload is over and failed, and why. */
  public record CodeAck(long received, boolean stored, String error) implements GatewayWire {}

  /** Uploads at once per node; a client that goes away mid-upload holds one until restarted. */
  static final int MAX_UPLOADS = 16;

  public sealed interface SubmitReply extends GatewayWire {}

  /**
   * @param home the job's {@code HomeProxy} in its serialization format (null while the job is
   *     queued without one): a client resolves it only when it talks to the job, and most
   *     never do (resolving a new path was 6% of a client's CPU in issue 9's workload (a))
   */
  public record Submitted(JobId jobId, String homeNode, String home) implements SubmitReply {}

  /** {@code jobId}: the id the submission chose, or null if it chose none. */
  public record Rejected(String reason, JobId jobId) implements SubmitReply {
    public Rejected(String reason) {
      this(reason, null);
    }
  }

  /** A page of the jobs homed at this node: at most {@link Limits#JOBS_PER_PAGE}. */
  public record ListJobs(int from, ActorRef<HomeManager.JobList> replyTo)
      implements Command, GatewayWire {}

  public record GetJob(JobId jobId, ActorRef<HomeManager.JobLookup> replyTo)
      implements Command, GatewayWire {}

  /**
   * The job's home actor, for a client with something to tell it: a job that waits in the
   * batch queue has none until asked ({@link HomeManager.GetHome}).
   */
  public record GetHome(JobId jobId, ActorRef<HomeManager.JobLookup> replyTo)
      implements Command, GatewayWire {}

  public record Migrate(JobId jobId, String target, ActorRef<HomeProxy.MigrateAnswer> replyTo)
      implements Command, GatewayWire {}

  /** The nodes this node knows, with their load ({@code drift mon}). */
  public record GetNodes(ActorRef<Balancer.Nodes> replyTo) implements Command, GatewayWire {}

  /** This node's balancing decisions about one job ({@code drift why}). */
  public record GetDecisions(String job, ActorRef<Balancer.Decisions> replyTo)
      implements Command, GatewayWire {}

  /** The cluster's members as this node sees them: who to ask for the rest. */
  public record GetMembers(ActorRef<Members> replyTo) implements Command, GatewayWire {}

  /**
   * {@code up}: nodes ({@code host:port}) that are Up and reachable from here;
   * {@code clusters}: the cluster (data center) of each of them.
   */
  public record Members(String self, List<String> up, java.util.Map<String, String> clusters)
      implements GatewayWire {
    public Members {
      clusters = clusters == null ? java.util.Map.of() : java.util.Map.copyOf(clusters);
    }
  }

  /** The home manager's answer to a Create. */
  private record Recorded(HomeManager.Created created) implements Command {}

  /** Time to refuse the submissions whose Create has had no answer within create-timeout. */
  private enum Sweep implements Command { INSTANCE }

  /** A submission the home manager has not answered yet. */
  private record Pending(ActorRef<SubmitReply> client, long deadlineNanos) {}

  /** @param code the node's jars of job code; null: only Drift's own class path */
  public static Behavior<Command> create(ActorRef<HomeManager.Command> homes,
      ActorRef<Balancer.Command> balancer, StateCodec codec, CodeStore code, String selfNode,
      int maxStateBytes, Duration createTimeout) {
    Map<String, CodeStore.Incoming> uploads = new HashMap<>();
    // A failure on one message (a bug the checks below missed) must not stop the node's door:
    // the gateway keeps nothing that a failed message could leave half-changed but uploads,
    // which close themselves on error.
    return Behaviors.supervise(Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers -> {
      // submissions the home manager has not answered yet, by job, oldest first: not
      // ctx.ask, whose javadsl completes a CompletionStage that Scala's converter runs
      // asynchronously, and on a two-core machine the common pool behind it starts a thread
      // per task (one per job). One timer sweeps them all: all wait the same time, so the
      // oldest is due first, and no timer is made and cancelled per placement.
      java.util.LinkedHashMap<JobId, Pending> pending = new java.util.LinkedHashMap<>();
      org.apache.pekko.actor.typed.ActorRefResolver refs =
          org.apache.pekko.actor.typed.ActorRefResolver.get(ctx.getSystem());
      ActorRef<HomeManager.Created> recorded =
          ctx.messageAdapter(HomeManager.Created.class, Recorded::new);
      return Behaviors.receive(Command.class)
        .onMessage(Command.class, c -> malformed(c) != null, c -> {
          // decoded, but not a message a client sends: answer where it can, log quietly (a
          // flood of them must not flood the log)
          ctx.getLog().debug("dropped a malformed {}: {}", c.getClass().getSimpleName(),
              malformed(c));
          answerMalformed(c, malformed(c));
          return Behaviors.same();
        })
        .onMessage(Submit.class, s -> {
          if (s.jobId() != null && pending.containsKey(s.jobId())) {
            s.replyTo().tell(new Rejected("a submission of job " + s.jobId() + " is under way"
                + " at " + selfNode + " already", s.jobId()));
            return Behaviors.same();
          }
          JobId id = onSubmit(ctx, s, homes, recorded, codec, code, selfNode, maxStateBytes);
          if (id != null) {
            if (pending.isEmpty()) {
              timers.startSingleTimer(Sweep.INSTANCE, Sweep.INSTANCE, createTimeout);
            }
            pending.put(id,
                new Pending(s.replyTo(), System.nanoTime() + createTimeout.toNanos()));
          }
          return Behaviors.same();
        })
        .onMessage(PutCode.class, p -> {
          p.replyTo().tell(put(p, code, uploads, selfNode));
          return Behaviors.same();
        })
        .onMessage(Recorded.class, r -> {
          Pending p = pending.remove(r.created().jobId());
          if (p == null) {
            return Behaviors.same(); // answered already: it came after its timeout
          }
          ActorRef<SubmitReply> client = p.client();
          if (r.created().refused() != null) {
            ctx.getLog().info("rejected a submission: {}", r.created().refused());
            client.tell(new Rejected(r.created().refused(), r.created().jobId()));
          } else {
            ActorRef<HomeProxy.Command> home = r.created().home();
            client.tell(new Submitted(r.created().jobId(), r.created().homeNode(),
                home == null ? null : refs.toSerializationFormat(home)));
          }
          return Behaviors.same();
        })
        .onMessage(Sweep.class, n -> {
          long now = System.nanoTime();
          var oldest = pending.entrySet().iterator();
          while (oldest.hasNext()) {
            var e = oldest.next();
            long left = e.getValue().deadlineNanos() - now;
            if (left > 0) { // the rest are younger: sweep again when this one is due
              timers.startSingleTimer(Sweep.INSTANCE, Sweep.INSTANCE,
                  Duration.ofNanos(left));
              break;
            }
            oldest.remove();
            e.getValue().client().tell(new Rejected("node " + selfNode + " could not record"
                + " the job: its home manager did not answer within "
                + createTimeout.toMillis() + " ms", e.getKey()));
          }
          return Behaviors.same();
        })
        .onMessage(ListJobs.class, l -> {
          homes.tell(new HomeManager.ListJobs(l.from(), Limits.JOBS_PER_PAGE, l.replyTo()));
          return Behaviors.same();
        })
        .onMessage(Migrate.class, m -> {
          homes.tell(new HomeManager.MigrateJob(m.jobId(), m.target(), m.replyTo()));
          return Behaviors.same();
        })
        .onMessage(GetJob.class, g -> {
          homes.tell(new HomeManager.GetJob(g.jobId(), g.replyTo()));
          return Behaviors.same();
        })
        .onMessage(GetHome.class, g -> {
          homes.tell(new HomeManager.GetHome(g.jobId(), g.replyTo()));
          return Behaviors.same();
        })
        .onMessage(GetNodes.class, g -> {
          balancer.tell(new Balancer.GetNodes(g.replyTo()));
          return Behaviors.same();
        })
        .onMessage(GetDecisions.class, g -> {
          balancer.tell(new Balancer.DecisionsAbout(g.job(), g.replyTo()));
          return Behaviors.same();
        })
        .onMessage(GetMembers.class, g -> {
          java.util.Map<String, String> clusters = new java.util.HashMap<>();
          org.apache.pekko.cluster.typed.Cluster.get(ctx.getSystem()).state().getMembers()
              .forEach(m -> clusters.put(io.drift.balancer.NodeNames.of(m.address()),
                  m.dataCenter()));
          List<String> up = upMembers(ctx);
          clusters.keySet().retainAll(up);
          g.replyTo().tell(new Members(selfNode, up, clusters));
          return Behaviors.same();
        })
        .build();
    }))).onFailure(RuntimeException.class,
            org.apache.pekko.actor.typed.SupervisorStrategy.resume());
  }

  /**
   * Why a decoded command cannot be taken as it is (a field a client always sets is missing
   * or out of range), or null. The wire's decoder builds any record whose fields parse, so
   * a hostile or broken client can send nulls where no Drift client would.
   */
  static String malformed(Command c) {
    if (c instanceof Submit s) {
      return s.replyTo() == null ? "no reply-to"
          : s.unit() == null || s.unit().className() == null || s.unit().className().isEmpty()
              || s.unit().bytes() == null ? "a job needs a unit, with its class name" : null;
    }
    if (c instanceof PutCode p) {
      return p.replyTo() == null ? "no reply-to"
          : p.hash() == null || p.offset() < 0 || p.total() < 0 || p.offset() > p.total()
              ? "a piece of a jar needs its hash, and 0 <= offset <= total" : null;
    }
    if (c instanceof ListJobs l) {
      return l.replyTo() == null ? "no reply-to" : l.from() < 0 ? "from must be >= 0" : null;
    }
    if (c instanceof GetJob g) {
      return g.replyTo() == null ? "no reply-to" : g.jobId() == null ? "no job id" : null;
    }
    if (c instanceof GetHome g) {
      return g.replyTo() == null ? "no reply-to" : g.jobId() == null ? "no job id" : null;
    }
    if (c instanceof Migrate m) {
      return m.replyTo() == null ? "no reply-to"
          : m.jobId() == null || m.target() == null ? "a move needs a job id and a target" : null;
    }
    if (c instanceof GetNodes g) {
      return g.replyTo() == null ? "no reply-to" : null;
    }
    if (c instanceof GetDecisions g) {
      return g.replyTo() == null ? "no reply-to" : g.job() == null ? "no job id" : null;
    }
    if (c instanceof GetMembers g) {
      return g.replyTo() == null ? "no reply-to" : null;
    }
    return null;
  }

  /** Where the command has somewhere to answer and a way to say no, it hears why. */
  private static void answerMalformed(Command c, String why) {
    if (c instanceof Submit s && s.replyTo() != null) {
      s.replyTo().tell(new Rejected(why, s.jobId()));
    } else if (c instanceof PutCode p && p.replyTo() != null) {
      p.replyTo().tell(new CodeAck(0, false, why));
    } else if (c instanceof Migrate m && m.replyTo() != null) {
      m.replyTo().tell(new HomeProxy.MigrateAnswer(m.jobId(), false, why, null));
    }
  }


  /** Takes one piece of an upload (file I/O: this actor runs on the blocking dispatcher). */
  static CodeAck put(PutCode p, CodeStore code, Map<String, CodeStore.Incoming> uploads,
      String selfNode) {
    if (code == null) {
      return new CodeAck(0, false, "node " + selfNode + " keeps no jars of job code");
    }
    if (!CodeStore.isHash(p.hash())) {
      return new CodeAck(0, false, "not a SHA-256 in lower-case hex: " + p.hash());
    }
    if (code.has(p.hash())) {
      return new CodeAck(p.total(), true, null);
    }
    CodeStore.Incoming in = uploads.get(p.hash());
    try {
      if (p.offset() == 0) {
        if (in != null) {
          in.close();
          uploads.remove(p.hash());
        } else if (uploads.size() >= MAX_UPLOADS) {
          return new CodeAck(0, false, "node " + selfNode + " takes " + MAX_UPLOADS
              + " uploads at once; try again later");
        }
        in = code.incoming(p.hash(), p.total());
        uploads.put(p.hash(), in);
      } else if (in == null || in.total() != p.total()) {
        return new CodeAck(0, false, "no upload of " + p.hash() + " is under way: start at 0");
      }
      in.append(p.offset(), p.data() == null ? new byte[0] : p.data());
      if (in.complete()) {
        uploads.remove(p.hash());
        try (CodeStore.Incoming done = in) {
          done.commit();
        }
        return new CodeAck(in.received(), true, null);
      }
      return new CodeAck(in.received(), false, null);
    } catch (java.io.IOException e) {
      if (in != null) {
        in.close();
        uploads.remove(p.hash());
      }
      return new CodeAck(0, false, "node " + selfNode + " did not take the jar: "
          + e.getMessage());
    }
  }

  /** The members that are Up and reachable from here, as {@code host:port}. */
  private static List<String> upMembers(ActorContext<Command> ctx) {
    org.apache.pekko.cluster.ClusterEvent.CurrentClusterState state =
        org.apache.pekko.cluster.typed.Cluster.get(ctx.getSystem()).state();
    java.util.Set<org.apache.pekko.cluster.Member> unreachable = new java.util.HashSet<>();
    state.getUnreachable().forEach(unreachable::add);
    List<String> up = new java.util.ArrayList<>();
    for (org.apache.pekko.cluster.Member m : state.getMembers()) {
      if (m.status() == org.apache.pekko.cluster.MemberStatus.up() && !unreachable.contains(m)) {
        up.add(io.drift.balancer.NodeNames.of(m.address()));
      }
    }
    return List.copyOf(up);
  }

  /** Checks a submission and asks the home manager to record it; its job, or null if refused. */
  private static JobId onSubmit(ActorContext<Command> ctx, Submit s,
      ActorRef<HomeManager.Command> homes, ActorRef<HomeManager.Created> recorded,
      StateCodec codec, CodeStore code, String selfNode, int maxStateBytes) {
    String problem = check(s, codec, code, selfNode, maxStateBytes);
    if (problem == null && s.startOn() != null
        && !s.startOn().equals(io.drift.api.JobSpec.HOME)
        && !upMembers(ctx).contains(s.startOn())) {
      problem = "no node " + s.startOn() + " is up in this cluster (drift members lists them)";
    }
    if (problem != null) {
      ctx.getLog().info("rejected a submission: {}", problem);
      s.replyTo().tell(new Rejected(problem, s.jobId()));
      return null;
    }
    JobId id = s.jobId() != null ? s.jobId() : JobId.random();
    // one copy of the unit's class name for all its jobs, not one per decoded message: there
    // are few classes, and a node may keep 100,000 jobs queued (issue 9, workload (e))
    Payload unit = new Payload(s.unit().className().intern(), s.unit().bytes());
    HomeProxy.Spec spec = new HomeProxy.Spec(id, s.name(), unit.className(), s.memoryMb(),
        s.migratable(), unit, s.workspace(), s.code(), s.startOn());
    homes.tell(new HomeManager.Create(spec, s.queue() == null ? -1 : s.queue(), recorded,
        s.subscriber(), s.jobId() != null));
    return spec.id();
  }

  /** Why the submission cannot run here, or null if it can. */
  static String check(Submit s, StateCodec codec, CodeStore code, String selfNode,
      int maxStateBytes) {
    if (s.queue() != null && s.queue() < 0) {
      return "a queue priority is >= 0 (lower first), not " + s.queue();
    }
    if (s.name() == null || s.name().isBlank()) {
      return "a job needs a name";
    }
    if (s.name().length() > Limits.NAME_CHARS) {
      return "a job's name is at most " + Limits.NAME_CHARS + " characters";
    }
    if (s.memoryMb() < 0) {
      return "declared memory must be >= 0 MB, not " + s.memoryMb();
    }
    if (s.workspace() != null) {
      try {
        io.drift.api.HomePaths.check(s.workspace(), false);
      } catch (java.nio.file.AccessDeniedException e) {
        return "workspace " + e.getMessage();
      }
    }
    if (s.unit() == null || s.unit().isNull()) {
      return "a job needs a unit";
    }
    if (s.unit().size() > maxStateBytes) {
      return "the unit's state is " + s.unit().size() + " bytes; this node accepts at most "
          + maxStateBytes + " (drift.gateway.max-state-bytes)";
    }
    if (s.code() == null) {
      return checkUnit(s, codec, Thread.currentThread().getContextClassLoader(),
          "on the class path of node " + selfNode);
    }
    if (code == null) {
      return "node " + selfNode + " keeps no jars of job code";
    }
    if (!code.has(s.code())) {
      return "node " + selfNode + " has no jar " + s.code() + ": upload it first (PutCode)";
    }
    // a loader of its own, closed at once: the job's loaders are made where it runs
    try (java.net.URLClassLoader loader = code.open(s.code(), "drift-check")) {
      return checkUnit(s, codec, loader, "in the job's jar");
    } catch (java.io.IOException e) {
      return "cannot load from the job's jar: " + e.getMessage();
    }
  }

  private static String checkUnit(Submit s, StateCodec codec, ClassLoader loader, String where) {
    Object unit;
    try {
      unit = codec.decode(s.unit(), loader);
    } catch (ClassNotFoundException e) {
      return "unit class " + s.unit().className() + " is not " + where;
    } catch (StateCodecException | LinkageError e) {
      return e.getMessage();
    }
    if (!(unit instanceof WorkUnit<?>)) {
      return s.unit().className() + " is not a " + WorkUnit.class.getName();
    }
    return null;
  }
}
