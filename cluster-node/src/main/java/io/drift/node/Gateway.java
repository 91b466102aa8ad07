package io.drift.node;

import io.drift.api.JobId;
import io.drift.api.WorkUnit;
import io.drift.home.HomeManager;
import io.drift.home.HomeProxy;
import io.drift.migration.Limits;
import io.drift.migration.codec.Payload;
import io.drift.migration.codec.StateCodec;
import io.drift.migration.codec.StateCodecException;
import java.time.Duration;
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

  /** Submit a job homed at this node. {@code unit} is the unit's encoded starting state. */
  /** {@code workspace}: the job's files' directory under the home's root; null: its own. */
  public record Submit(String name, Payload unit, long memoryMb, boolean migratable,
      String workspace, ActorRef<SubmitReply> replyTo) implements Command, GatewayWire {

    public Submit(String name, Payload unit, long memoryMb, boolean migratable,
        ActorRef<SubmitReply> replyTo) {
      this(name, unit, memoryMb, migratable, null, replyTo);
    }
  }

  public sealed interface SubmitReply extends GatewayWire {}

  public record Submitted(JobId jobId, String homeNode, ActorRef<HomeProxy.Command> home)
      implements SubmitReply {}

  public record Rejected(String reason) implements SubmitReply {}

  /** A page of the jobs homed at this node: at most {@link Limits#JOBS_PER_PAGE}. */
  public record ListJobs(int from, ActorRef<HomeManager.JobList> replyTo)
      implements Command, GatewayWire {}

  public record GetJob(JobId jobId, ActorRef<HomeManager.JobLookup> replyTo)
      implements Command, GatewayWire {}

  public record Migrate(JobId jobId, String target, ActorRef<HomeProxy.MigrateAnswer> replyTo)
      implements Command, GatewayWire {}

  private record Recorded(HomeManager.Created created, Throwable failure,
      ActorRef<SubmitReply> replyTo) implements Command {}

  public static Behavior<Command> create(ActorRef<HomeManager.Command> homes, StateCodec codec,
      String selfNode, int maxStateBytes, Duration createTimeout) {
    return Behaviors.setup(ctx -> Behaviors.receive(Command.class)
        .onMessage(Submit.class, s -> onSubmit(ctx, s, homes, codec, selfNode, maxStateBytes,
            createTimeout))
        .onMessage(Recorded.class, r -> {
          if (r.failure() != null) {
            r.replyTo().tell(new Rejected("node " + selfNode + " could not record the job: "
                + r.failure().getMessage()));
          } else {
            r.replyTo().tell(new Submitted(r.created().jobId(), r.created().homeNode(),
                r.created().home()));
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
        .build());
  }

  private static Behavior<Command> onSubmit(ActorContext<Command> ctx, Submit s,
      ActorRef<HomeManager.Command> homes, StateCodec codec, String selfNode, int maxStateBytes,
      Duration createTimeout) {
    String problem = check(s, codec, selfNode, maxStateBytes);
    if (problem != null) {
      ctx.getLog().info("rejected a submission: {}", problem);
      s.replyTo().tell(new Rejected(problem));
      return Behaviors.same();
    }
    HomeProxy.Spec spec = new HomeProxy.Spec(JobId.random(), s.name(), s.unit().className(),
        s.memoryMb(), s.migratable(), s.unit(), s.workspace());
    // ask between two local actors: the reply's only use is to answer this one client
    ctx.ask(HomeManager.Created.class, homes, createTimeout,
        replyTo -> new HomeManager.Create(spec, replyTo),
        (created, failure) -> new Recorded(created, failure, s.replyTo()));
    return Behaviors.same();
  }

  /** Why the submission cannot run here, or null if it can. */
  static String check(Submit s, StateCodec codec, String selfNode, int maxStateBytes) {
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
    Object unit;
    try {
      unit = codec.decode(s.unit(), Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      return "unit class " + s.unit().className() + " is not on the class path of node " + selfNode;
    } catch (StateCodecException e) {
      return e.getMessage();
    }
    if (!(unit instanceof WorkUnit<?>)) {
      return s.unit().className() + " is not a " + WorkUnit.class.getName();
    }
    return null;
  }
}
